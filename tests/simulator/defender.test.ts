// Defender data APIs of the simulator (XDR incidents, MDE alerts, Graph security v1.0, legacy SIEM), exercised with real
// msal-node tokens over HTTPS. Run:
//   npx tsx -e "import('./simulator/certs.ts').then(m=>m.ensureCertificates('.data/certs'))" &&
//   NODE_EXTRA_CA_CERTS=$PWD/.data/certs/ca.pem node --import tsx --test tests/simulator/defender.test.ts
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConfidentialClientApplication } from "@azure/msal-node";
import type { TenantView } from "../../simulator/directory.ts";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";

const CERT_DIR = ".data/certs";
const CLIENT_ID = "7c4e2f1a-3b5d-4e6f-8a9b-0c1d2e3f4a5b";
const SECRET = "defender-test-secret";
const MTP = "https://api.security.microsoft.com";
const WDATP = "https://api.securitycenter.microsoft.com";
const GRAPH = "https://graph.microsoft.com";
const AADGRAPH = "https://graph.windows.net";
const XDR_HOST = "api.security.microsoft.com";
const GRAPH_HOST = "graph.microsoft.com";
const SEED = "defender-test";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sim: SimulatorHandle;

function appOptions() {
  return {
    clientId: CLIENT_ID,
    displayName: "Contoso MSSP Defender Portal",
    clientSecrets: [SECRET],
    certificates: [],
    redirectUris: ["http://localhost:3000/cb"],
  };
}

before(async () => {
  if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error("Run with NODE_EXTRA_CA_CERTS=.data/certs/ca.pem");
  sim = await startSimulator({ port: 0, certDir: CERT_DIR, seed: SEED, app: appOptions(), preconsentedCustomers: 5, defender: { hangMs: 60_000 } });
});

after(async () => {
  await sim?.close();
});

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

const customer = (name: string, s: SimulatorHandle = sim): TenantView => {
  const t = s.directory.customers.find((c) => c.displayName === name);
  assert.ok(t, `no tenant ${name}`);
  return t;
};

const ccas = new Map<SimulatorHandle, ConfidentialClientApplication>();
async function token(tenantId: string, resource: string, opts: { skipCache?: boolean; s?: SimulatorHandle } = {}): Promise<string> {
  const s = opts.s ?? sim;
  let cca = ccas.get(s);
  if (!cca) {
    cca = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, authority: `${s.url}/${s.directory.partner.id}`, knownAuthorities: [`localhost:${s.port}`], clientSecret: SECRET },
    });
    ccas.set(s, cca);
  }
  const r = await cca.acquireTokenByClientCredential({
    scopes: [`${resource}/.default`],
    authority: `${s.url}/${tenantId}`,
    skipCache: opts.skipCache ?? false,
  });
  assert.ok(r);
  return r.accessToken;
}

async function control(method: string, p: string, body?: unknown, s: SimulatorHandle = sim): Promise<Json> {
  const res = await fetch(`${s.url}${p}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(res.status < 300, `${method} ${p} -> ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as Json;
}

async function call(host: string, path: string, tok: string | null, init: RequestInit & { s?: SimulatorHandle } = {}): Promise<Response> {
  const s = init.s ?? sim;
  const headers: Record<string, string> = { ...(tok ? { authorization: `Bearer ${tok}` } : {}), ...((init.headers as Record<string, string>) ?? {}) };
  return fetch(`${s.url}/${host}${path}`, { ...init, headers });
}

async function ok(res: Response): Promise<Json> {
  const text = await res.text();
  assert.equal(res.status, 200, text.slice(0, 500));
  return JSON.parse(text) as Json;
}

async function groundTruth(tenantId: string, s: SimulatorHandle = sim): Promise<Json[]> {
  return (await control("GET", `/_sim/tenants/${tenantId}/defender/incidents`, undefined, s)).incidents as Json[];
}

const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

// ---------------------------------------------------------------------------------------------
// Defender XDR incidents
// ---------------------------------------------------------------------------------------------

describe("Defender XDR /api/incidents", () => {
  let tid: string;
  let tok: string;
  before(async () => {
    tid = customer("Fabrikam").id;
    await control("POST", `/_sim/tenants/${tid}/consent`, {
      roles: {
        [MTP]: ["Incident.Read.All", "Incident.ReadWrite.All"],
        [WDATP]: ["Alert.Read.All"],
        [GRAPH]: ["SecurityIncident.Read.All", "SecurityAlert.Read.All"],
      },
    });
    tok = await token(tid, MTP, { skipCache: true });
  });

  test("list: documented envelope, newest first, $top/$skip paging without nextLink, matches ground truth", async () => {
    const truth = await groundTruth(tid);
    assert.equal(truth.length, 40);
    const seen: number[] = [];
    for (let skip = 0; ; skip += 15) {
      const page = await ok(await call(XDR_HOST, `/api/incidents${q({ $top: "15", $skip: String(skip) })}`, tok));
      assert.equal(page["@odata.context"], "https://api.security.microsoft.com/api/$metadata#Incidents");
      assert.equal(page["@odata.nextLink"], undefined);
      seen.push(...page.value.map((i: Json) => i.incidentId));
      if (page.value.length < 15) break;
    }
    assert.deepEqual(
      seen,
      truth.map((t) => t.incidentId),
    );
    const first = (await ok(await call(XDR_HOST, "/api/incidents", tok))).value[0] as Json;
    for (const k of [
      "incidentId",
      "redirectIncidentId",
      "incidentName",
      "createdTime",
      "lastUpdateTime",
      "assignedTo",
      "classification",
      "determination",
      "status",
      "severity",
      "tags",
      "comments",
      "alerts",
    ]) {
      assert.ok(k in first, `incident lacks ${k}`);
    }
    const alert = first.alerts[0] as Json;
    for (const k of [
      "alertId",
      "incidentId",
      "serviceSource",
      "creationTime",
      "lastUpdatedTime",
      "resolvedTime",
      "firstActivity",
      "lastActivity",
      "title",
      "category",
      "status",
      "severity",
      "investigationState",
      "detectionSource",
      "mitreTechniques",
      "devices",
      "entities",
    ]) {
      assert.ok(k in alert, `alert lacks ${k}`);
    }
    assert.equal(Object.keys(alert.entities[0]).length, 31, "entities carry every documented field (null when unused)");
    assert.match(first.lastUpdateTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
  });

  test("$filter on lastUpdateTime/createdTime/status/assignedTo with and", async () => {
    const truth = await groundTruth(tid);
    const pivot = truth[10]!.lastUpdateTime as string;
    const ge = await ok(await call(XDR_HOST, `/api/incidents${q({ $filter: `lastUpdateTime ge ${pivot}` })}`, tok));
    assert.deepEqual(
      ge.value.map((i: Json) => i.incidentId),
      truth.slice(0, 11).map((t) => t.incidentId),
    );
    const lt = await ok(await call(XDR_HOST, `/api/incidents${q({ $filter: `lastUpdateTime lt ${pivot} and status eq 'Resolved'` })}`, tok));
    assert.deepEqual(
      lt.value.map((i: Json) => i.incidentId),
      truth
        .slice(11)
        .filter((t) => t.status === "Resolved")
        .map((t) => t.incidentId),
    );
    const created = truth.map((t) => t.createdTime as string).sort()[20]!;
    const c = await ok(await call(XDR_HOST, `/api/incidents${q({ $filter: `createdTime gt ${created}` })}`, tok));
    assert.equal(c.value.length, truth.filter((t) => t.createdTime > created).length);
    const unassigned = await ok(await call(XDR_HOST, `/api/incidents${q({ $filter: "assignedTo eq null and status eq 'Active'" })}`, tok));
    assert.equal(unassigned.value.length, truth.filter((t) => t.assignedTo === null && t.status === "Active").length);
  });

  test("unsupported OData -> 400 with the Defender error body", async () => {
    for (const params of <Record<string, string>[]>[
      { $filter: "severity eq 'High'" },
      { $filter: "status eq 'Active' or status eq 'Resolved'" },
      { $filter: "startswith(assignedTo,'sec')" },
      { $orderby: "createdTime desc" },
      { $top: "101" },
      { $filter: "lastUpdateTime ge '2024-01-01'" },
    ]) {
      const res = await call(XDR_HOST, `/api/incidents${q(params)}`, tok);
      assert.equal(res.status, 400, JSON.stringify(params));
      const body = (await res.json()) as Json;
      assert.ok(["BadRequest", "ODataError", "InvalidInput"].includes(body.error.code));
      assert.equal(typeof body.error.message, "string");
      assert.match(body.error.target, /^[0-9a-f-]{36}$/);
    }
  });

  test("get by id: 200, 404; regional hosts answer and are counted per host", async () => {
    const truth = await groundTruth(tid);
    await control("POST", "/_sim/requests/reset");
    const one = await ok(await call("eu.api.security.microsoft.com", `/api/incidents/${truth[3]!.incidentId}`, tok));
    assert.equal(one.incidentId, truth[3]!.incidentId);
    assert.deepEqual(
      one.alerts.map((a: Json) => a.alertId),
      truth[3]!.alertIds,
    );
    const missing = await call("api-uk.security.microsoft.com", "/api/incidents/1", tok);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as Json).error.code, "ResourceNotFound");
    assert.equal((await call("evil.example.com", "/api/incidents", tok)).status, 404);
    const counters = await control("GET", "/_sim/requests");
    assert.equal(counters["xdr.incidents.get"]?.[tid], 2);
    assert.equal(counters["host:eu.api.security.microsoft.com"]?.[tid], 1);
    assert.equal(counters["host:api-uk.security.microsoft.com"]?.[tid], 1);
  });

  test("PATCH updates status/classification/determination/tags/comment and bumps lastUpdateTime", async () => {
    const truth = await groundTruth(tid);
    const target = truth.find((t) => t.status === "Active")!;
    const res = await call(XDR_HOST, `/api/incidents/${target.incidentId}`, tok, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        status: "Resolved",
        assignedTo: "secop2@contoso.com",
        classification: "TruePositive",
        determination: "Malware",
        tags: ["Pen-test"],
        comment: "pen testing",
      }),
    });
    const body = await ok(res);
    assert.equal(body.status, "Resolved");
    assert.equal(body.classification, "TruePositive");
    assert.equal(body.determination, "Malware");
    assert.deepEqual(body.tags, ["Pen-test"]);
    assert.equal(body.comments.at(-1).comment, "pen testing");
    assert.ok(body.lastUpdateTime > truth[0]!.lastUpdateTime);
    assert.equal((await groundTruth(tid))[0]!.incidentId, target.incidentId);
    const badDet = await call(XDR_HOST, `/api/incidents/${target.incidentId}`, tok, {
      method: "PATCH",
      body: JSON.stringify({ classification: "FalsePositive", determination: "Malware" }),
    });
    assert.equal(badDet.status, 400);
    assert.equal(((await badDet.json()) as Json).error.code, "InvalidInput");
    const badBody = await call(XDR_HOST, `/api/incidents/${target.incidentId}`, tok, { method: "PATCH", body: JSON.stringify({ Status: "Resolved" }) });
    assert.equal(((await badBody.json()) as Json).error.code, "InvalidRequestBody");
    assert.equal((await call(XDR_HOST, "/api/incidents/999999999", tok, { method: "PATCH", body: "{}" })).status, 404);
  });

  test("hostile data injected through the control API comes back verbatim", async () => {
    const big = "A".repeat(1_000_000);
    const hostile = {
      incidentName: "<script>alert(1)</script>",
      comment: "=cmd|' /C calc'!A0",
      url: "javascript:alert(document.cookie)",
      processCommandLine: 'powershell \u0000\u0007\u001b[31m -c "<img src=x onerror=alert(1)>"',
      filePath: "C:\\evil\\\u202etxt.exe",
      alertTitle: big,
    };
    const created = await control("POST", `/_sim/tenants/${tid}/defender/incidents`, hostile);
    const inc = await ok(await call(XDR_HOST, `/api/incidents/${created.incidentId}`, tok));
    assert.equal(inc.incidentName, hostile.incidentName);
    assert.equal(inc.comments[0].comment, hostile.comment);
    assert.equal(inc.alerts[0].title.length, 1_000_000);
    const ents = inc.alerts[0].entities as Json[];
    assert.equal(ents.find((e) => e.entityType === "Url")!.url, hostile.url);
    assert.equal(ents.find((e) => e.entityType === "Process")!.processCommandLine, hostile.processCommandLine);
    assert.equal(ents.find((e) => e.entityType === "File")!.filePath, hostile.filePath);
    const g = await ok(await call(GRAPH_HOST, `/v1.0/security/incidents/${created.incidentId}?$expand=alerts`, await token(tid, GRAPH)));
    assert.equal(g.displayName, hostile.incidentName);
    assert.ok((g.alerts[0].evidence as Json[]).some((e) => e.url === hostile.url));
  });
});

// ---------------------------------------------------------------------------------------------
// MDE alerts
// ---------------------------------------------------------------------------------------------

describe("Defender for Endpoint /api/alerts", () => {
  let tid: string;
  let tok: string;
  before(async () => {
    tid = customer("Fabrikam").id;
    tok = await token(tid, WDATP);
  });

  test("list with and without $expand=evidence, filters, $top cap, get by id, both hosts", async () => {
    const truth = await groundTruth(tid);
    const mdeIds = truth.flatMap((t) => t.mdeAlertIds as string[]);
    const plain = await ok(await call("api.securitycenter.microsoft.com", "/api/alerts", tok));
    assert.equal(plain["@odata.context"], "https://api.securitycenter.microsoft.com/api/$metadata#Alerts");
    assert.deepEqual(new Set(plain.value.map((a: Json) => a.id)), new Set(mdeIds));
    assert.ok(plain.value.every((a: Json) => Array.isArray(a.evidence) && a.evidence.length === 0));
    const expanded = await ok(await call(XDR_HOST, `/api/alerts${q({ $top: "5", $expand: "evidence" })}`, tok));
    assert.equal(expanded.value.length, 5);
    assert.ok(expanded.value.every((a: Json) => a.evidence.length > 0 && "evidenceCreationTime" in a.evidence[0]));
    assert.match(expanded.value[0].id, /^da\d{18}_-?\d+$/);
    const withMde = truth.find((t) => t.mdeAlertIds.length > 0)!;
    const byIncident = await ok(await call(XDR_HOST, `/api/v1.0/alerts${q({ $filter: `incidentId eq ${withMde.incidentId}` })}`, tok));
    assert.deepEqual(byIncident.value.map((a: Json) => a.id).sort(), [...withMde.mdeAlertIds].sort());
    const high = await ok(await call(XDR_HOST, `/api/alerts${q({ $filter: "severity eq 'High' and status ne 'Resolved'" })}`, tok));
    assert.ok(high.value.every((a: Json) => a.severity === "High" && a.status !== "Resolved"));
    assert.equal((await call(XDR_HOST, `/api/alerts${q({ $top: "10001" })}`, tok)).status, 400);
    assert.equal((await call(XDR_HOST, `/api/alerts${q({ $expand: "machines" })}`, tok)).status, 400);
    const one = await ok(await call("api-eu.securitycenter.microsoft.com", `/api/alerts/${mdeIds[0]}`, tok));
    assert.equal(one.id, mdeIds[0]);
    assert.equal(one.aadTenantId, tid);
    assert.equal((await call(XDR_HOST, "/api/alerts/da000_1", tok)).status, 404);
  });
});

// ---------------------------------------------------------------------------------------------
// Graph security v1.0
// ---------------------------------------------------------------------------------------------

describe("Graph /v1.0/security", () => {
  let tid: string;
  let tok: string;
  before(async () => {
    tid = customer("Northwind Traders").id;
    tok = await token(tid, GRAPH);
  });

  test("incidents: nextLink paging, $count, $top cap, $expand=alerts, camelCase enums, filters", async () => {
    const truth = await groundTruth(tid);
    const ids: string[] = [];
    let url: string | undefined = `${sim.url}/${GRAPH_HOST}/v1.0/security/incidents?$top=15&$count=true`;
    let pages = 0;
    while (url) {
      const page: Json = await ok(await fetch(url, { headers: { authorization: `Bearer ${tok}` } }));
      assert.equal(page["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#security/incidents");
      assert.equal(page["@odata.count"], truth.length);
      ids.push(...page.value.map((i: Json) => i.id));
      url = page["@odata.nextLink"];
      if (url) assert.ok(url.startsWith(`${sim.url}/graph.microsoft.com/v1.0/security/incidents?`) && url.includes("$skip="));
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(
      ids,
      truth.map((t) => String(t.incidentId)),
    );
    const capped = await ok(await call(GRAPH_HOST, `/v1.0/security/incidents${q({ $top: "500" })}`, tok));
    assert.equal(capped.value.length, Math.min(50, truth.length));
    const expanded = await ok(await call(GRAPH_HOST, `/v1.0/security/incidents${q({ $expand: "alerts", $top: "3" })}`, tok));
    const inc = expanded.value[0] as Json;
    assert.equal(inc["@odata.type"], "#microsoft.graph.security.incident");
    assert.match(inc.status, /^(active|inProgress|resolved|redirected)$/);
    assert.match(inc.severity, /^(informational|low|medium|high)$/);
    assert.equal(inc.incidentWebUrl, `https://security.microsoft.com/incidents/${inc.id}?tid=${tid}`);
    assert.ok(Array.isArray(inc.alerts) && inc.alerts.length > 0);
    const active = await ok(
      await call(GRAPH_HOST, `/v1.0/security/incidents${q({ $filter: "status eq 'active' and lastUpdateDateTime ge 2000-01-01T00:00:00Z" })}`, tok),
    );
    assert.equal(active.value.length, Math.min(50, truth.filter((t) => t.status === "Active").length));
    const get = await ok(await call(GRAPH_HOST, `/v1.0/security/incidents/${truth[0]!.incidentId}`, tok));
    assert.equal(get.id, String(truth[0]!.incidentId));
    assert.equal((await call(GRAPH_HOST, "/v1.0/security/incidents/12", tok)).status, 404);
  });

  test("alerts_v2: paging and polymorphic evidence", async () => {
    const truth = await groundTruth(tid);
    const total = truth.reduce((n, t) => n + t.alertIds.length, 0);
    const all: Json[] = [];
    let url: string | undefined = `${sim.url}/${GRAPH_HOST}/v1.0/security/alerts_v2`;
    while (url) {
      const page: Json = await ok(await fetch(url, { headers: { authorization: `Bearer ${tok}` } }));
      all.push(...page.value);
      url = page["@odata.nextLink"];
    }
    assert.equal(all.length, total);
    const types = new Set(all.flatMap((a) => (a.evidence as Json[]).map((e) => e["@odata.type"])));
    for (const t of ["deviceEvidence", "fileEvidence", "processEvidence", "ipEvidence", "urlEvidence", "userEvidence"])
      assert.ok(types.has(`#microsoft.graph.security.${t}`), t);
    const a = all[0]!;
    assert.equal(a.alertWebUrl, `https://security.microsoft.com/alerts/${encodeURIComponent(a.id)}?tid=${tid}`);
    const mde = await ok(
      await call(GRAPH_HOST, `/v1.0/security/alerts_v2${q({ $filter: "serviceSource eq 'microsoftDefenderForEndpoint'", $count: "true" })}`, tok),
    );
    assert.equal(
      mde["@odata.count"],
      truth.reduce((n, t) => n + t.mdeAlertIds.length, 0),
    );
  });

  test("unsupported OData -> 400 with the Graph error body", async () => {
    for (const params of <Record<string, string>[]>[
      { $orderby: "createdDateTime desc" },
      { $filter: "displayName eq 'x'" },
      { $filter: "status eq 'active' or status eq 'resolved'" },
      { $expand: "comments" },
    ]) {
      const res = await call(GRAPH_HOST, `/v1.0/security/incidents${q(params)}`, tok, {
        headers: { "client-request-id": "11111111-2222-3333-4444-555555555555" },
      });
      assert.equal(res.status, 400, JSON.stringify(params));
      const body = (await res.json()) as Json;
      assert.equal(body.error.code, "BadRequest");
      assert.equal(body.error.innerError["client-request-id"], "11111111-2222-3333-4444-555555555555");
      assert.match(body.error.innerError.date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    }
  });

  test("unlicensed tenant: a Graph token works but security data is refused (403)", async () => {
    const litware = customer("Litware");
    await control("POST", `/_sim/tenants/${litware.id}/consent`, { roles: { [GRAPH]: ["SecurityIncident.Read.All"] } });
    const res = await call(GRAPH_HOST, "/v1.0/security/incidents", await token(litware.id, GRAPH));
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as Json).error.code, "Forbidden");
  });
});

// ---------------------------------------------------------------------------------------------
// Consistency, SIEM, auth, quotas, faults
// ---------------------------------------------------------------------------------------------

describe("one incident across XDR, Graph, MDE and SIEM", () => {
  test("same ids, titles and alerts everywhere", async () => {
    const tid = customer("Northwind Traders").id;
    const truth = await groundTruth(tid);
    const t = truth.find((i) => i.mdeAlertIds.length > 0 && i.alertIds.length > i.mdeAlertIds.length) ?? truth.find((i) => i.mdeAlertIds.length > 0)!;
    const xdr = await ok(await call(XDR_HOST, `/api/incidents/${t.incidentId}`, await token(tid, MTP)));
    const graph = await ok(await call(GRAPH_HOST, `/v1.0/security/incidents/${t.incidentId}?$expand=alerts`, await token(tid, GRAPH)));
    const mde = await ok(await call(XDR_HOST, `/api/alerts${q({ $filter: `incidentId eq ${t.incidentId}`, $expand: "evidence" })}`, await token(tid, WDATP)));
    assert.equal(graph.id, String(xdr.incidentId));
    assert.equal(graph.displayName, xdr.incidentName);
    assert.equal(graph.lastUpdateDateTime, xdr.lastUpdateTime);
    assert.equal(graph.status, xdr.status.charAt(0).toLowerCase() + xdr.status.slice(1));
    assert.deepEqual(
      graph.alerts.map((a: Json) => a.id),
      xdr.alerts.map((a: Json) => a.alertId),
    );
    assert.deepEqual(
      graph.alerts.map((a: Json) => a.title),
      xdr.alerts.map((a: Json) => a.title),
    );
    const endpointAlerts = xdr.alerts.filter((a: Json) => a.serviceSource === "MicrosoftDefenderATP");
    assert.deepEqual(mde.value.map((a: Json) => a.id).sort(), endpointAlerts.map((a: Json) => a.alertId).sort());
    const mdeOne = mde.value.find((a: Json) => a.id === endpointAlerts[0].alertId) as Json;
    assert.equal(mdeOne.title, endpointAlerts[0].title);
    assert.equal(mdeOne.machineId, endpointAlerts[0].devices[0].mdatpDeviceId);
    const xdrFile = (endpointAlerts[0].entities as Json[]).find((e) => e.entityType === "File");
    if (xdrFile) assert.ok((mdeOne.evidence as Json[]).some((e) => e.sha1 === xdrFile.sha1));
  });

  test("legacy SIEM: bare PascalCase array with a graph.windows.net token; filters by time", async () => {
    const tid = customer("Northwind Traders").id;
    const created = await control("POST", `/_sim/tenants/${tid}/defender/incidents`, { incidentName: "SIEM probe", fileName: "probe.exe" });
    const siemTok = await token(tid, AADGRAPH);
    const res = await call("wdatp-alertexporter-eu.windows.com", `/api/alerts${q({ ago: "PT10M" })}`, siemTok);
    const body = (await ok(res)) as unknown as Json[];
    assert.ok(Array.isArray(body));
    const det = body.find((d) => d.AlertId === created.alertIds[0])!;
    assert.ok(det, "the new MDE alert is exported");
    assert.equal(det.FileName, "probe.exe");
    for (const k of [
      "AlertTime",
      "ComputerDnsName",
      "AlertTitle",
      "Category",
      "Severity",
      "LinkToWDATP",
      "Sha1",
      "LastProcessedTimeUtc",
      "MachineName",
      "MachineGroup",
      "IncidentLinkToMTP",
    ])
      assert.ok(k in det, k);
    const old = await ok(
      await call(
        "wdatp-alertexporter-us.windows.com",
        `/api/alerts${q({ sinceTimeUtc: "2000-01-01T00:00:00.000", untilTimeUtc: "2000-01-02T00:00:00.000" })}`,
        siemTok,
      ),
    );
    assert.deepEqual(old, []);
    const limited = (await ok(
      await call("wdatp-alertexporter-uk.windows.com", `/api/alerts${q({ sinceTimeUtc: "2000-01-01T00:00:00Z", limit: "3" })}`, siemTok),
    )) as unknown as Json[];
    assert.equal(limited.length, 3);
    assert.equal((await call("wdatp-alertexporter-eu.windows.com", "/api/alerts", await token(tid, MTP))).status, 401);
    assert.equal((await call("wdatp-alertexporter-eu.windows.com", `/api/alerts${q({ ago: "ten minutes" })}`, siemTok)).status, 400);
  });
});

describe("authentication and authorization", () => {
  test("401: no token, garbage token, wrong audience, with each API's body", async () => {
    const tid = customer("Tailspin Toys").id;
    const none = await call(XDR_HOST, "/api/incidents", null);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as Json).error.code, "Unauthorized");
    const garbage = await call(GRAPH_HOST, "/v1.0/security/incidents", "not.a.jwt");
    assert.equal(garbage.status, 401);
    assert.equal(((await garbage.json()) as Json).error.code, "InvalidAuthenticationToken");
    const empty = (await (await call(GRAPH_HOST, "/v1.0/security/alerts_v2", null)).json()) as Json;
    assert.equal(empty.error.message, "Access token is empty.");
    const wrongAud = await call(GRAPH_HOST, "/v1.0/security/incidents", await token(tid, MTP));
    assert.equal(wrongAud.status, 401);
    assert.equal(((await wrongAud.json()) as Json).error.message, "Access token validation failure. Invalid audience.");
    assert.equal((await call(XDR_HOST, "/api/incidents", await token(tid, WDATP))).status, 401);
    assert.equal((await call(XDR_HOST, "/api/alerts", await token(tid, MTP))).status, 401);
  });

  test("403 without the app role (roles changed via the control API, fresh token)", async () => {
    const tid = customer("Woodgrove Bank").id;
    await control("PUT", `/_sim/tenants/${tid}/roles`, { resource: MTP, roles: ["AdvancedHunting.Read.All"] });
    await control("PUT", `/_sim/tenants/${tid}/roles`, { resource: GRAPH, roles: ["SecurityAlert.Read.All"] });
    const xdr = await call(XDR_HOST, "/api/incidents", await token(tid, MTP, { skipCache: true }));
    assert.equal(xdr.status, 403);
    assert.equal(((await xdr.json()) as Json).error.code, "Forbidden");
    const gTok = await token(tid, GRAPH, { skipCache: true });
    const g = await call(GRAPH_HOST, "/v1.0/security/incidents", gTok);
    assert.equal(g.status, 403);
    assert.match(
      ((await g.json()) as Json).error.message,
      /^Missing application roles\. API required roles: SecurityIncident\.Read\.All,SecurityIncident\.ReadWrite\.All/,
    );
    assert.equal((await call(GRAPH_HOST, "/v1.0/security/alerts_v2?$top=1", gTok)).status, 200);
    // PATCH needs Incident.ReadWrite.All; Incident.Read.All is not enough.
    await control("PUT", `/_sim/tenants/${tid}/roles`, { resource: MTP, roles: ["Incident.Read.All"] });
    const readOnly = await token(tid, MTP, { skipCache: true });
    const id = (await groundTruth(tid))[0]!.incidentId;
    assert.equal((await call(XDR_HOST, `/api/incidents/${id}`, readOnly)).status, 200);
    assert.equal((await call(XDR_HOST, `/api/incidents/${id}`, readOnly, { method: "PATCH", body: JSON.stringify({ status: "Resolved" }) })).status, 403);
  });

  test("a token issued before consent was revoked keeps working until it expires", async () => {
    const t = (await control("POST", "/_sim/tenants", { displayName: "Revoked Corp" })) as TenantView;
    await control("POST", `/_sim/tenants/${t.id}/consent`);
    const tok = await token(t.id, MTP);
    await control("DELETE", `/_sim/tenants/${t.id}/consent`);
    assert.equal((await call(XDR_HOST, "/api/incidents?$top=1", tok)).status, 200);
  });
});

describe("quotas and faults", () => {
  test("XDR: the 51st call within a minute gets 429 with Retry-After", async () => {
    const t = (await control("POST", "/_sim/tenants", { displayName: "Quota Corp" })) as TenantView;
    await control("POST", `/_sim/tenants/${t.id}/consent`);
    await control("PUT", `/_sim/tenants/${t.id}/defender`, { incidentsPerTenant: 3 });
    const tok = await token(t.id, MTP);
    for (let i = 0; i < 50; i++) assert.equal((await call(XDR_HOST, "/api/incidents", tok)).status, 200, `call ${i + 1}`);
    const res = await call(XDR_HOST, "/api/incidents", tok);
    assert.equal(res.status, 429);
    const retry = Number(res.headers.get("retry-after"));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    assert.equal(((await res.json()) as Json).error.code, "TooManyRequests");
    // Other APIs have their own quota; a reset (or quotas off) lets XDR calls through again.
    assert.equal((await call(GRAPH_HOST, "/v1.0/security/incidents", await token(t.id, GRAPH))).status, 200);
    await control("POST", `/_sim/tenants/${t.id}/defender/quotas/reset`);
    assert.equal((await call(XDR_HOST, "/api/incidents", tok)).status, 200);
  });

  test("fault knobs: latency, errors, malformed JSON, throttling, timeouts, token endpoint down; reproducible", async () => {
    const tid = customer("Tailspin Toys").id;
    await control("PUT", `/_sim/tenants/${tid}/defender`, { quotas: false });
    const tok = await token(tid, MTP);
    const path = "/api/incidents?$top=2";

    await control("PUT", `/_sim/tenants/${tid}/faults`, { latencyMs: 150 });
    const t0 = Date.now();
    await ok(await call(XDR_HOST, path, tok));
    assert.ok(Date.now() - t0 >= 140);
    assert.equal((await control("GET", `/_sim/tenants/${tid}/faults`)).latencyMs, 150);

    await control("PUT", `/_sim/tenants/${tid}/faults`, { errorRate: 1 });
    const err = await call(XDR_HOST, path, tok);
    assert.ok([500, 503].includes(err.status));
    assert.ok(["InternalServerError", "ServiceUnavailable"].includes(((await err.json()) as Json).error.code));

    await control("PUT", `/_sim/tenants/${tid}/faults`, { malformedRate: 1 });
    const bad = await call(XDR_HOST, path, tok);
    assert.equal(bad.status, 200);
    await assert.rejects(bad.json());

    await control("PUT", `/_sim/tenants/${tid}/faults`, { throttleRate: 1 });
    const thr = await call(XDR_HOST, path, tok);
    assert.equal(thr.status, 429);
    assert.ok(Number(thr.headers.get("retry-after")) >= 1);

    await control("PUT", `/_sim/tenants/${tid}/faults`, { timeoutRate: 1 });
    await assert.rejects(call(XDR_HOST, path, tok, { signal: AbortSignal.timeout(300) }), /abort|timeout/i);

    await control("PUT", `/_sim/tenants/${tid}/faults`, { tokenEndpointDown: true });
    const down = await fetch(`${sim.url}/${tid}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: SECRET, scope: `${MTP}/.default` }),
    });
    assert.equal(down.status, 503);
    assert.equal(((await down.json()) as Json).error, "temporarily_unavailable");
    await assert.rejects(token(tid, GRAPH, { skipCache: true }));

    // Same knobs, same sequence.
    const statuses = async () => {
      await control("PUT", `/_sim/tenants/${tid}/faults`, { errorRate: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await call(XDR_HOST, path, tok)).status);
      return out;
    };
    const a = await statuses();
    assert.deepEqual(await statuses(), a);
    assert.ok(a.includes(200) && a.some((s) => s >= 500));
    await control("PUT", `/_sim/tenants/${tid}/faults`, {});
    assert.equal((await call(XDR_HOST, path, tok)).status, 200);
  });
});

// ---------------------------------------------------------------------------------------------
// Ticker, determinism, scale
// ---------------------------------------------------------------------------------------------

describe("data over time", () => {
  test("tick: lastUpdateTime gt X finds exactly the created and updated incidents (XDR and Graph)", async () => {
    const tid = customer("Adventure Works").id;
    const before = await groundTruth(tid);
    const x = before[0]!.lastUpdateTime as string;
    const r = await control("POST", `/_sim/tenants/${tid}/defender/tick`, { create: 2, update: 3 });
    assert.equal(r.created.length, 2);
    assert.equal(r.updated.length, 3);
    const changed = [...r.created, ...r.updated].sort();
    const xdr = await ok(await call(XDR_HOST, `/api/incidents${q({ $filter: `lastUpdateTime gt ${x}` })}`, await token(tid, MTP)));
    assert.deepEqual(xdr.value.map((i: Json) => i.incidentId).sort(), changed);
    const graph = await ok(await call(GRAPH_HOST, `/v1.0/security/incidents${q({ $filter: `lastUpdateDateTime gt ${x}` })}`, await token(tid, GRAPH)));
    assert.deepEqual(graph.value.map((i: Json) => Number(i.id)).sort(), changed);
    const after = await groundTruth(tid);
    assert.equal(after.length, before.length + 2);
    for (const id of r.updated) {
      const b = before.find((i) => i.incidentId === id)!;
      const a = after.find((i) => i.incidentId === id)!;
      assert.ok(a.lastUpdateTime > b.lastUpdateTime);
    }
  });

  test("two simulators with the same seed (and epoch) serve identical data", async () => {
    const epoch = Date.parse((await control("GET", "/_sim/defender")).epoch as string);
    const sim2 = await startSimulator({ port: 0, certDir: CERT_DIR, seed: SEED, app: appOptions(), preconsentedCustomers: 5, defender: { epochMs: epoch } });
    try {
      const name = "Woodgrove Bank";
      const t1 = customer(name);
      const t2 = customer(name, sim2);
      assert.equal(t1.id, t2.id);
      assert.deepEqual(await groundTruth(t2.id, sim2), await groundTruth(t1.id));
      const tok2 = await token(t2.id, GRAPH, { s: sim2 });
      const tok1 = await token(t1.id, GRAPH, { skipCache: true });
      const strip = (b: Json) => JSON.stringify(b.value);
      const p = "/v1.0/security/alerts_v2?$top=20";
      assert.equal(strip(await ok(await call(GRAPH_HOST, p, tok2, { s: sim2 }))), strip(await ok(await call(GRAPH_HOST, p, tok1))));
    } finally {
      await sim2.close();
    }
  });

  test("1,000 tenants x 100 incidents are generated lazily and stay cheap (informal measurement)", async () => {
    const big = await startSimulator({ port: 0, certDir: CERT_DIR, seed: "scale", app: appOptions(), defender: { incidentsPerTenant: 100 } });
    try {
      const ids: string[] = [];
      const t0 = Date.now();
      for (let i = 0; i < 1000; i += 50) {
        const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => control("POST", "/_sim/tenants", { displayName: `Scale ${i + j}` }, big)));
        ids.push(...batch.map((b) => b.id as string));
      }
      const created = Date.now() - t0;
      assert.equal((await control("GET", "/_sim/defender", undefined, big)).materializedTenants, 0, "nothing generated up front");
      const heap0 = process.memoryUsage().heapUsed;
      const t1 = Date.now();
      let incidents = 0;
      for (let i = 0; i < ids.length; i += 50) {
        const sums = await Promise.all(ids.slice(i, i + 50).map((id) => control("GET", `/_sim/tenants/${id}/defender/summary`, undefined, big)));
        incidents += sums.reduce((n, s) => n + (s.incidents as number), 0);
      }
      const generated = Date.now() - t1;
      assert.equal(incidents, 100_000);
      assert.equal((await control("GET", "/_sim/defender", undefined, big)).materializedTenants, 1000);
      const heapMb = Math.round((process.memoryUsage().heapUsed - heap0) / 1e6);
      console.log(`# scale: 1,000 tenants created in ${created} ms; 100,000 incidents generated + summarised in ${generated} ms; heap +${heapMb} MB`);
    } finally {
      await big.close();
    }
  });
});
