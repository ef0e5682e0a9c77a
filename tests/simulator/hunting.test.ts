// The simulator's Graph advanced hunting API (POST /v1.0/security/runHuntingQuery, graph-docs
// security-security-runhuntingquery.md), over HTTPS with real msal-node tokens. Every operator family of the KQL subset
// is checked against ground truth computed here in plain JS from the rows of a bare `Table` query.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";
import { SimControl } from "../support/sim-control.ts";

const CLIENT_ID = "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
const SECRET = "hunting-test-secret";
const GRAPH = "https://graph.microsoft.com";
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sim: SimulatorHandle;
let cca: ConfidentialClientApplication;

before(async () => {
  if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error("Run with NODE_EXTRA_CA_CERTS=.data/certs/ca.pem");
  sim = await startSimulator({
    port: 0,
    certDir: ".data/certs",
    seed: "hunting-test",
    app: {
      clientId: CLIENT_ID,
      displayName: "Contoso MSSP Defender Portal",
      clientSecrets: [SECRET],
      certificates: [],
      redirectUris: ["http://localhost:3000/cb"],
    },
    preconsentedCustomers: 5,
  });
  cca = new ConfidentialClientApplication({
    auth: { clientId: CLIENT_ID, authority: `${sim.url}/${sim.directory.partner.id}`, knownAuthorities: [`localhost:${sim.port}`], clientSecret: SECRET },
  });
});
after(async () => sim?.close());

const licensed = (n: number) => sim.directory.customers.filter((c) => c.defenderLicence)[n]!.id;

async function token(tenantId: string): Promise<string> {
  const r = await cca.acquireTokenByClientCredential({ scopes: [`${GRAPH}/.default`], authority: `${sim.url}/${tenantId}`, skipCache: true });
  return r!.accessToken;
}

async function control(method: string, p: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${sim.url}${p}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${p} -> ${res.status} ${text}`);
  return JSON.parse(text) as Json;
}

const grantHunting = (tid: string) => control("POST", `/_sim/tenants/${tid}/consent`, { roles: { [GRAPH]: ["ThreatHunting.Read.All"] } });

async function hunt(tok: string, body: unknown): Promise<{ status: number; json: Json; headers: Headers; ms: number }> {
  const t0 = Date.now();
  const res = await fetch(`${sim.url}/graph.microsoft.com/v1.0/security/runHuntingQuery`, {
    method: "POST",
    headers: { authorization: `Bearer ${tok}`, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json, headers: res.headers, ms: Date.now() - t0 };
}

/** Runs a query that must succeed and returns its rows. */
async function rows(tok: string, query: string, timespan?: string): Promise<Row[]> {
  const r = await hunt(tok, timespan === undefined ? { Query: query } : { Query: query, Timespan: timespan });
  assert.equal(r.status, 200, `${query} -> ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.results as Row[];
}

/** Ground truth for `has`: the needle as a whole term, written independently of the simulator (a regular expression). */
const hasTerm = (hay: string, needle: string) => new RegExp(`(^|[^A-Za-z0-9])${needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9])`, "i").test(hay);
const key = (r: Row, cols: string[]) => JSON.stringify(cols.map((c) => r[c]));
const sortedKeys = (list: Row[], cols: string[]) => list.map((r) => key(r, cols)).sort();
const ms = (iso: string) => Date.parse(iso);

describe("runHuntingQuery", () => {
  let tid: string;
  let tok: string;
  let procs: Row[];

  before(async () => {
    tid = licensed(0);
    await grantHunting(tid);
    // The operator tests below make far more than 45 calls a minute: lift this tenant's rate limit.
    await control("PUT", `/_sim/tenants/${tid}/hunting`, { callsPerMinute: 10_000 });
    tok = await token(tid);
    procs = await rows(tok, "DeviceProcessEvents");
  });

  test("documented response shape: @odata.context, schema with Microsoft's type names, ISO dates with 7 digits", async () => {
    const r = await hunt(tok, {
      Query: 'DeviceProcessEvents | where InitiatingProcessFileName =~ "cmd.exe" | project Timestamp, FileName, ProcessId | take 2',
    });
    assert.equal(r.status, 200);
    assert.equal(r.json["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults");
    assert.deepEqual(r.json.schema, [
      { name: "Timestamp", type: "DateTime" },
      { name: "FileName", type: "String" },
      { name: "ProcessId", type: "Int64" },
    ]);
    assert.equal(r.json.results.length, 2);
    assert.match(r.json.results[0].Timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    assert.equal(typeof r.json.results[0].ProcessId, "number");
    assert.ok(r.headers.get("request-id"));
  });

  test("tables: the eight documented tables, a few hundred to ~2,000 rows each, the same devices and alerts as the other APIs", async () => {
    const counts: Record<string, number> = {};
    for (const t of [
      "DeviceInfo",
      "DeviceProcessEvents",
      "DeviceNetworkEvents",
      "DeviceFileEvents",
      "AlertInfo",
      "AlertEvidence",
      "EmailEvents",
      "IdentityLogonEvents",
    ]) {
      counts[t] = (await rows(tok, t)).length;
      assert.ok(counts[t]! > 20 && counts[t]! <= 2500, `${t}: ${counts[t]}`);
    }
    const machines = (await control("GET", `/_sim/tenants/${tid}/defender/machines`)).machines as Json[];
    const deviceIds = new Set((await rows(tok, "DeviceInfo | distinct DeviceId")).map((r) => r.DeviceId));
    assert.deepEqual([...deviceIds].sort(), machines.map((m) => m.id).sort());
    const truth = (await control("GET", `/_sim/tenants/${tid}/defender/incidents`)).incidents as Json[];
    const alertIds = new Set(truth.flatMap((i) => i.alertIds as string[]));
    const hunted = await rows(tok, "AlertInfo | project AlertId, Timestamp");
    assert.ok(hunted.length > 0 && hunted.every((r) => alertIds.has(r.AlertId)), "every AlertInfo row is an alert of the incidents API");
    // Retention: no row older than 30 days, whatever the Timespan (api-advanced-hunting.md).
    const all90 = await rows(tok, "AlertInfo", "P90D");
    assert.ok(all90.every((r) => ms(r.Timestamp) >= Date.now() - 30 * 86_400_000 - 5_000));
    // Background noise worth hunting for.
    assert.ok(
      procs.some((r) => /-EncodedCommand /.test(r.ProcessCommandLine)),
      "encoded PowerShell",
    );
    assert.ok(
      procs.some((r) => /localgroup administrators .* \/add/i.test(r.ProcessCommandLine)),
      "new local admin",
    );
    assert.ok(
      procs.some((r) => r.FileName === "rundll32.exe" && /C:\\Users\\/i.test(r.ProcessCommandLine)),
      "rundll32 from a user path",
    );
  });

  test("== and != are case-sensitive; =~ and !~ are not", async () => {
    const eq = await rows(tok, 'DeviceProcessEvents | where FileName == "powershell.exe"');
    assert.deepEqual(
      sortedKeys(eq, ["ReportId"]),
      sortedKeys(
        procs.filter((r) => r.FileName === "powershell.exe"),
        ["ReportId"],
      ),
    );
    assert.equal(
      (await rows(tok, 'DeviceProcessEvents | where FileName == "POWERSHELL.EXE"')).length,
      procs.filter((r) => r.FileName === "POWERSHELL.EXE").length,
    );
    const ne = await rows(tok, 'DeviceProcessEvents | where FileName != "powershell.exe"');
    assert.equal(ne.length, procs.filter((r) => r.FileName !== "powershell.exe").length);
    const ci = await rows(tok, 'DeviceProcessEvents | where FileName =~ "POWERSHELL.exe"');
    assert.equal(ci.length, procs.filter((r) => r.FileName.toLowerCase() === "powershell.exe").length);
    assert.ok(ci.length > 0);
    const nci = await rows(tok, 'DeviceProcessEvents | where InitiatingProcessFileName !~ "EXPLORER.EXE"');
    assert.equal(nci.length, procs.filter((r) => r.InitiatingProcessFileName.toLowerCase() !== "explorer.exe").length);
  });

  test("contains / !contains / has / !has / startswith / endswith (case-insensitive; has is whole-term)", async () => {
    const n = (q: string) => rows(tok, `DeviceProcessEvents | where ${q}`).then((r) => r.length);
    const cmd = (r: Row) => r.ProcessCommandLine as string;
    assert.equal(await n('ProcessCommandLine contains "encodedcommand"'), procs.filter((r) => cmd(r).toLowerCase().includes("encodedcommand")).length);
    assert.equal(await n('ProcessCommandLine !contains "encodedcommand"'), procs.filter((r) => !cmd(r).toLowerCase().includes("encodedcommand")).length);
    assert.equal(await n('ProcessCommandLine has "LocalGroup"'), procs.filter((r) => hasTerm(cmd(r), "LocalGroup")).length);
    assert.equal(await n('ProcessCommandLine !has "localgroup"'), procs.filter((r) => !hasTerm(cmd(r), "localgroup")).length);
    // Whole terms: "power" is inside "powershell" but is not a term of it.
    assert.equal(await n('ProcessCommandLine has "power"'), procs.filter((r) => hasTerm(cmd(r), "power")).length);
    assert.ok((await n('ProcessCommandLine contains "power"')) > (await n('ProcessCommandLine has "power"')));
    assert.equal(await n('FolderPath startswith "c:\\\\users"'), procs.filter((r) => r.FolderPath.toLowerCase().startsWith("c:\\users")).length);
    assert.equal(await n('FileName endswith ".EXE"'), procs.filter((r) => r.FileName.toLowerCase().endsWith(".exe")).length);
    assert.equal(await n('FileName !startswith "p"'), procs.filter((r) => !r.FileName.toLowerCase().startsWith("p")).length);
  });

  test("in, !in, between, comparisons, and/or/not, ago(), datetime()", async () => {
    const n = (q: string) => rows(tok, `DeviceProcessEvents | where ${q}`).then((r) => r.length);
    const set = ["cmd.exe", "net.exe", "rundll32.exe"];
    assert.equal(await n(`FileName in ("cmd.exe", "net.exe", "rundll32.exe")`), procs.filter((r) => set.includes(r.FileName)).length);
    assert.equal(await n(`FileName !in ("cmd.exe", "net.exe", "rundll32.exe")`), procs.filter((r) => !set.includes(r.FileName)).length);
    assert.equal(await n(`FileName in~ ("CMD.EXE")`), procs.filter((r) => r.FileName.toLowerCase() === "cmd.exe").length);
    assert.equal(await n("ProcessId between (5000 .. 15000)"), procs.filter((r) => r.ProcessId >= 5000 && r.ProcessId <= 15000).length);
    assert.equal(await n("FileSize > 2000000"), procs.filter((r) => r.FileSize > 2_000_000).length);
    assert.equal(await n("FileSize <= 2000000"), procs.filter((r) => r.FileSize <= 2_000_000).length);
    assert.equal(await n("ProcessId >= 20000 or ProcessId < 2000"), procs.filter((r) => r.ProcessId >= 20000 || r.ProcessId < 2000).length);
    assert.equal(await n('FileName == "cmd.exe" and not(ProcessId > 10000)'), procs.filter((r) => r.FileName === "cmd.exe" && !(r.ProcessId > 10000)).length);
    assert.equal(
      await n('(FileName == "cmd.exe" or FileName == "net.exe") and ProcessId < 9000'),
      procs.filter((r) => (r.FileName === "cmd.exe" || r.FileName === "net.exe") && r.ProcessId < 9000).length,
    );
    const since = Date.now() - 7 * 86_400_000;
    assert.equal(await n("Timestamp > ago(7d)"), procs.filter((r) => ms(r.Timestamp) > since).length);
    const a = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    const b = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    assert.equal(
      await n(`Timestamp between (datetime(${a}) .. datetime(${b}))`),
      procs.filter((r) => ms(r.Timestamp) >= Date.parse(`${a}T00:00:00Z`) && ms(r.Timestamp) <= Date.parse(`${b}T00:00:00Z`)).length,
    );
  });

  test("project, project-away, extend with simple expressions", async () => {
    const r = await hunt(tok, {
      Query: 'DeviceProcessEvents | where FileName == "cmd.exe" | project DeviceName, FileName, Both = strcat(FileName, "@", DeviceName), Pid2 = ProcessId * 2',
    });
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.schema.map((c: Json) => `${c.name}:${c.type}`),
      ["DeviceName:String", "FileName:String", "Both:String", "Pid2:Int64"],
    );
    const truth = procs.filter((x) => x.FileName === "cmd.exe");
    assert.deepEqual(
      (r.json.results as Row[]).map((x) => `${x.Both}|${x.Pid2}`).sort(),
      truth.map((x) => `${x.FileName}@${x.DeviceName}|${x.ProcessId * 2}`).sort(),
    );
    const ext = await rows(
      tok,
      'DeviceProcessEvents | where FileName =~ "OUTLOOK.EXE" | extend Lower = tolower(FileName), Upper = toupper(DeviceName), S = tostring(ProcessId) | take 5',
    );
    for (const x of ext) {
      assert.equal(x.Lower, x.FileName.toLowerCase());
      assert.equal(x.Upper, x.DeviceName.toUpperCase());
      assert.equal(x.S, String(x.ProcessId));
      assert.ok("ProcessCommandLine" in x, "extend keeps the other columns");
    }
    const away = await hunt(tok, { Query: "DeviceInfo | project-away AdditionalFields, LoggedOnUsers | take 1" });
    assert.ok(!away.json.schema.some((c: Json) => c.name === "AdditionalFields" || c.name === "LoggedOnUsers"));
  });

  test("summarize count(), dcount(), min(), max() by ..., with KQL's default names", async () => {
    const r = await hunt(tok, { Query: "DeviceProcessEvents | summarize count(), dcount(DeviceId), min(Timestamp), max(FileSize) by FileName" });
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.schema.map((c: Json) => `${c.name}:${c.type}`),
      ["FileName:String", "count_:Int64", "dcount_DeviceId:Int64", "min_Timestamp:DateTime", "max_FileSize:Int64"],
    );
    const groups = new Map<string, Row[]>();
    for (const x of procs) groups.set(x.FileName, [...(groups.get(x.FileName) ?? []), x]);
    assert.equal(r.json.results.length, groups.size);
    for (const g of r.json.results as Row[]) {
      const list = groups.get(g.FileName)!;
      assert.equal(g.count_, list.length, g.FileName);
      assert.equal(g.dcount_DeviceId, new Set(list.map((x) => x.DeviceId)).size);
      assert.equal(g.min_Timestamp, list.map((x) => x.Timestamp).sort()[0]);
      assert.equal(g.max_FileSize, Math.max(...list.map((x) => x.FileSize)));
    }
    const named = await rows(tok, "DeviceProcessEvents | summarize Devices = dcount(DeviceName), Events = count()");
    assert.deepEqual(named, [{ Devices: new Set(procs.map((x) => x.DeviceName)).size, Events: procs.length }]);
    const daily = await rows(tok, "DeviceProcessEvents | summarize n = count() by bin(Timestamp, 1d) | sort by Timestamp asc");
    assert.equal(
      daily.reduce((s, x) => s + x.n, 0),
      procs.length,
    );
  });

  test("sort / order by, top, take / limit, distinct, count", async () => {
    const asc = await rows(tok, "DeviceProcessEvents | sort by FileSize asc | project FileSize");
    assert.deepEqual(
      asc.map((x) => x.FileSize),
      procs.map((x) => x.FileSize).sort((a, b) => a - b),
    );
    const desc = await rows(tok, "DeviceProcessEvents | order by Timestamp | project Timestamp");
    assert.deepEqual(
      desc.map((x) => x.Timestamp),
      procs
        .map((x) => x.Timestamp)
        .sort()
        .reverse(),
    );
    const top = await rows(tok, "DeviceProcessEvents | top 5 by ProcessId desc");
    assert.deepEqual(
      top.map((x) => x.ProcessId),
      procs
        .map((x) => x.ProcessId)
        .sort((a, b) => b - a)
        .slice(0, 5),
    );
    const bottom = await rows(tok, "DeviceProcessEvents | top 3 by ProcessId asc | project ProcessId");
    assert.deepEqual(
      bottom.map((x) => x.ProcessId),
      procs
        .map((x) => x.ProcessId)
        .sort((a, b) => a - b)
        .slice(0, 3),
    );
    assert.equal((await rows(tok, "DeviceProcessEvents | take 7")).length, 7);
    assert.equal((await rows(tok, "DeviceProcessEvents | limit 4")).length, 4);
    const distinct = await rows(tok, "DeviceProcessEvents | distinct FileName, DeviceName");
    assert.deepEqual(sortedKeys(distinct, ["FileName", "DeviceName"]), [...new Set(procs.map((x) => key(x, ["FileName", "DeviceName"])))].sort());
    assert.deepEqual(await rows(tok, 'DeviceProcessEvents | where FileName == "cmd.exe" | count'), [
      { Count: procs.filter((x) => x.FileName === "cmd.exe").length },
    ]);
  });

  test("dynamic columns are JSON values and typed Object", async () => {
    const r = await hunt(tok, { Query: "IdentityLogonEvents | project Timestamp, AccountUpn, AdditionalFields | take 2" });
    assert.equal(r.status, 200);
    assert.equal(r.json.schema.find((c: Json) => c.name === "AdditionalFields").type, "Object");
    assert.equal(typeof r.json.results[0].AdditionalFields, "object");
    assert.ok("Country" in r.json.results[0].AdditionalFields);
    const newCountry = await rows(tok, 'IdentityLogonEvents | where Location in ("RU", "NG", "BR", "SG", "KP", "IR", "VN") | project AccountUpn, Location');
    assert.ok(newCountry.length >= 1, "sign-ins from a new country");
  });

  test("unsupported operators, unknown tables, columns and functions: 400 BadRequest naming what is wrong", async () => {
    const cases: [string, RegExp][] = [
      ["DeviceProcessEvents | join (DeviceInfo) on DeviceId", /'join' operator is not supported/],
      ["union DeviceProcessEvents, DeviceInfo", /'union' operator is not supported/],
      ["DeviceProcessEvents | mv-expand AdditionalFields", /'mv-expand' operator is not supported/],
      ["DeviceProcessEvents | parse ProcessCommandLine with * 'x' y", /'parse' operator is not supported/],
      ["let x = 1; DeviceProcessEvents", /'let' statement is not supported/],
      ["Foo | take 1", /Failed to resolve table or column expression named 'Foo'/],
      ["DeviceProcessEvents | where Nope == 1", /'where' operator: Failed to resolve scalar expression named 'Nope'/],
      ["DeviceProcessEvents | project Nope", /'project' operator: Failed to resolve scalar expression named 'Nope'/],
      ["DeviceProcessEvents | where FileName == 1", /Cannot compare values of types string and long/],
      ["DeviceProcessEvents | extend x = parse_json(AdditionalFields)", /'parse_json' function is not supported/],
      ["DeviceProcessEvents | extend x = frobnicate(FileName)", /Unknown function: 'frobnicate'/],
      ["DeviceProcessEvents | where", /Query could not be parsed at '<end of query>' on line \[1,\d+\]/],
      ["DeviceProcessEvents\n| wher FileName == 'x'", /Query could not be parsed at 'wher' on line \[2,3\]/],
    ];
    for (const [q, re] of cases) {
      const r = await hunt(tok, { Query: q });
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.code, "BadRequest", q);
      assert.match(r.json.error.message, re, q);
      assert.ok(r.json.error.innerError?.["request-id"], "Graph error shape");
    }
    // Hostile shapes are refused as queries, not by exhausting the simulator's stack.
    const deep = await hunt(tok, { Query: `DeviceInfo | where ${"(".repeat(5000)}OSBuild == 1${")".repeat(5000)}` });
    assert.equal(deep.status, 400);
    const chain = await hunt(tok, { Query: `DeviceInfo | where ${Array(5000).fill("OSBuild==1").join(" or ")}` });
    assert.equal(chain.status, 400);
    const missing = await hunt(tok, { Timespan: "P1D" });
    assert.equal(missing.status, 400);
    assert.match(missing.json.error.message, /'Query'/);
    const notJson = await hunt(tok, "{not json");
    assert.equal(notJson.status, 400);
  });

  test("Timespan: rows older than it are not returned; the documented forms; invalid is 400", async () => {
    const week = await rows(tok, "DeviceProcessEvents | project Timestamp", "P7D");
    const since = Date.now() - 7 * 86_400_000;
    assert.ok(week.length > 0 && week.length < procs.length);
    assert.ok(
      week.every((x) => ms(x.Timestamp) >= since - 5_000),
      "nothing older than the Timespan",
    );
    assert.equal(week.length, procs.filter((x) => ms(x.Timestamp) >= since).length);
    const from = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 19) + "Z";
    const to = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 19) + "Z";
    const interval = await rows(tok, "DeviceProcessEvents | project Timestamp", `${from}/${to}`);
    assert.equal(interval.length, procs.filter((x) => ms(x.Timestamp) >= Date.parse(from) && ms(x.Timestamp) <= Date.parse(to)).length);
    assert.equal((await rows(tok, "DeviceProcessEvents | project Timestamp", `P10D/${to}`)).length, interval.length);
    assert.equal((await rows(tok, "DeviceProcessEvents | project Timestamp", `${from}/P10D`)).length, interval.length);
    assert.equal((await rows(tok, "DeviceProcessEvents | count", "P90D"))[0]!.Count, procs.length, "no data older than 30 days to find");
    const bad = await hunt(tok, { Query: "DeviceInfo", Timespan: "last week" });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /Timespan/);
  });

  test("the 100,000-row cap is a knob: longer results are cut", async () => {
    await control("PUT", `/_sim/tenants/${tid}/hunting`, { maxRows: 10 });
    try {
      assert.equal((await rows(tok, "DeviceProcessEvents")).length, 10);
      assert.ok((await control("GET", `/_sim/tenants/${tid}/hunting`)).counters.truncated >= 1);
    } finally {
      await control("PUT", `/_sim/tenants/${tid}/hunting`, { maxRows: null });
    }
    assert.equal((await control("GET", `/_sim/tenants/${tid}/hunting`)).knobs.maxRows, 100_000);
  });

  test("failNext answers the next call with the given error, then the API recovers", async () => {
    await control("PUT", `/_sim/tenants/${tid}/hunting`, { failNext: { status: 503, code: "serviceNotAvailable", message: "Injected outage" } });
    const r = await hunt(tok, { Query: "DeviceInfo | take 1" });
    assert.equal(r.status, 503);
    assert.equal(r.json.error.code, "serviceNotAvailable");
    assert.equal(r.json.error.message, "Injected outage");
    assert.equal((await hunt(tok, { Query: "DeviceInfo | take 1" })).status, 200);
  });

  test("SimControl helpers: per-tenant knobs, counters and the ground-truth table", async () => {
    const simc = new SimControl(sim.url);
    const set = await simc.setHunting(tid, { slowMs: 5 });
    assert.equal(set.knobs.slowMs, 5);
    assert.equal((await simc.setHunting(tid, { slowMs: null })).knobs.slowMs, 0);
    const view = await simc.hunting(tid);
    assert.ok(view.counters.calls > 0 && view.counters.ok > 0);
    assert.ok((await simc.huntingCounters()).tenants[tid]!.calls >= view.counters.calls);
    const truth = await simc.huntingTable(tid, "DeviceProcessEvents");
    // Alert rows go back as far as the alerts (42 days); the API shows only the last 30 days of them.
    const cutoff = Date.now() - 30 * 86_400_000;
    assert.equal(truth.rows.filter((r) => Date.parse(r.Timestamp as string) >= cutoff).length, procs.length);
    assert.ok(truth.rows.length > procs.length, "older alert rows exist and are not returned");
    assert.deepEqual(truth.schema.slice(0, 2), [
      { name: "Timestamp", type: "DateTime" },
      { name: "DeviceId", type: "String" },
    ]);
  });

  test("starter hunts written in the subset find the planted activity", async () => {
    const encoded = await rows(tok, 'DeviceProcessEvents | where FileName =~ "powershell.exe" and ProcessCommandLine has "-EncodedCommand"');
    assert.ok(encoded.length >= 1, "encoded PowerShell");
    const admin = await rows(
      tok,
      'DeviceProcessEvents | where FileName in~ ("net.exe", "net1.exe") and ProcessCommandLine has "localgroup" and ProcessCommandLine has "administrators" and ProcessCommandLine has "/add"',
    );
    assert.ok(admin.length >= 1, "new local admin");
    const rundll = await rows(
      tok,
      'DeviceProcessEvents | where FileName =~ "rundll32.exe" and (ProcessCommandLine contains @"\\Users\\" or ProcessCommandLine contains @"\\AppData\\")',
    );
    assert.ok(rundll.length >= 1 && rundll.every((x) => /\\(Users|AppData)\\/i.test(x.ProcessCommandLine)), "rundll32 from a user path");
    const renames = await hunt(tok, {
      Query: 'DeviceFileEvents | where ActionType == "FileRenamed" | summarize Renames = count() by DeviceName, bin(Timestamp, 10m) | where Renames >= 50',
    });
    assert.equal(renames.status, 200);
    const countries = await rows(
      tok,
      'IdentityLogonEvents | where ActionType == "LogonSuccess" | summarize Countries = dcount(Location) by AccountUpn | where Countries > 1',
    );
    assert.ok(countries.length >= 1, "sign-ins from a new country");
  });

  test("the same query gives the same answer (deterministic data)", async () => {
    const q = "DeviceNetworkEvents | where RemotePort == 443 | summarize count() by RemoteUrl | sort by RemoteUrl asc";
    assert.deepEqual(await rows(tok, q), await rows(tok, q));
  });
});

describe("runHuntingQuery: permissions and quotas", () => {
  test("without ThreatHunting.Read.All: 403 in Graph's shape", async () => {
    const tid = licensed(1);
    const tok = await token(tid);
    const r = await hunt(tok, { Query: "DeviceInfo | take 1" });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, "Forbidden");
    assert.match(r.json.error.message, /Missing application roles\. API required roles: ThreatHunting\.Read\.All/);
  });

  test("a tenant without a Defender licence: 403, as the other Graph security routes", async () => {
    const tid = sim.directory.customers.find((c) => !c.defenderLicence)!.id;
    await grantHunting(tid);
    const r = await hunt(await token(tid), { Query: "DeviceInfo | take 1" });
    assert.equal(r.status, 403);
    assert.match(r.json.error.message, /not onboarded/);
  });

  test("calls per minute: 429 TooManyRequests with Retry-After, counted", async () => {
    const tid = licensed(2);
    await grantHunting(tid);
    const tok = await token(tid);
    await control("PUT", `/_sim/tenants/${tid}/hunting`, { callsPerMinute: 3 });
    for (let i = 0; i < 3; i++) assert.equal((await hunt(tok, { Query: "DeviceInfo | take 1" })).status, 200);
    const r = await hunt(tok, { Query: "DeviceInfo | take 1" });
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, "TooManyRequests");
    assert.match(r.json.error.message, /3 advanced hunting calls per minute/);
    const retry = Number(r.headers.get("retry-after"));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    const view = await control("GET", `/_sim/tenants/${tid}/hunting`);
    assert.equal(view.counters.throttledRate, 1);
    assert.equal(view.counters.ok, 3);
    assert.equal(view.counters.peakCallsPerMinute, 4);
    const all = await control("GET", "/_sim/hunting/counters");
    assert.equal(all.tenants[tid].calls, 4);
    await control("POST", `/_sim/tenants/${tid}/hunting/quotas/reset`);
    assert.equal((await hunt(tok, { Query: "DeviceInfo | take 1" })).status, 200);
    await control("PUT", `/_sim/tenants/${tid}/hunting`, { callsPerMinute: null });
  });

  test("CPU quota per 15-minute cycle: 429 with the documented message and Retry-After", async () => {
    const tid = licensed(3);
    await grantHunting(tid);
    const tok = await token(tid);
    // One scan of DeviceProcessEvents costs 10 + 0.05 per row (> 50 simulated CPU-ms).
    await control("PUT", `/_sim/tenants/${tid}/hunting`, { cpuBudgetMsPer15Min: 50 });
    assert.equal((await hunt(tok, { Query: "DeviceProcessEvents | count" })).status, 200);
    const r = await hunt(tok, { Query: "DeviceInfo | take 1" });
    assert.equal(r.status, 429);
    assert.match(r.json.error.message, /^You have exceeded processing resources allocated to this tenant\. You can run queries again in \d\d:\d\d:\d\d\.$/);
    const retry = Number(r.headers.get("retry-after"));
    assert.ok(retry > 60 && retry <= 900, `Retry-After ${retry}`);
    const view = await control("GET", `/_sim/tenants/${tid}/hunting`);
    assert.equal(view.counters.throttledCpu, 1);
    assert.ok(view.quota.cpuMsUsedThisCycle > 50);
    await control("POST", `/_sim/tenants/${tid}/hunting/quotas/reset`);
    await control("PUT", `/_sim/tenants/${tid}/hunting`, { cpuBudgetMsPer15Min: null });
    assert.equal((await hunt(tok, { Query: "DeviceInfo | take 1" })).status, 200);
  });

  test("slowMs adds latency; a query reaching timeoutMs fails with the documented timeout message", async () => {
    const tid = licensed(3);
    const tok = await token(tid);
    await control("PUT", `/_sim/tenants/${tid}/hunting`, { slowMs: 300 });
    const slow = await hunt(tok, { Query: "DeviceInfo | take 1" });
    assert.equal(slow.status, 200);
    assert.ok(slow.ms >= 290, `${slow.ms} ms`);
    await control("PUT", `/_sim/tenants/${tid}/hunting`, { slowMs: 5_000, timeoutMs: 400 });
    const timedOut = await hunt(tok, { Query: "DeviceInfo | take 1" });
    assert.equal(timedOut.status, 400);
    assert.equal(timedOut.json.error.message, "Query exceeded the timeout period.");
    assert.ok(timedOut.ms >= 390 && timedOut.ms < 4_000, `${timedOut.ms} ms`);
    assert.equal((await control("GET", `/_sim/tenants/${tid}/hunting`)).counters.timeouts, 1);
    await control("PUT", `/_sim/tenants/${tid}/hunting`, { slowMs: null, timeoutMs: null });
  });

  test("hostile tenant text comes back verbatim (tenant name, injected incident)", async () => {
    const hostile = `<img src=x onerror=alert(1)>"';--=HYPERLINK("http://evil")`;
    const t = await control("POST", "/_sim/tenants", { displayName: hostile, domain: `hostilehunt${Date.now().toString(36)}.onmicrosoft.com` });
    await control("POST", `/_sim/tenants/${t.id}/consent`, { roles: { [GRAPH]: ["SecurityIncident.Read.All", "ThreatHunting.Read.All"] } });
    const title = `<script>alert("t")</script> ${hostile}`;
    const cmd = `cmd.exe /c "echo <svg onload=alert(2)>" & ${hostile}`;
    await control("POST", `/_sim/tenants/${t.id}/defender/incidents`, { alertTitle: title, processCommandLine: cmd });
    const tok = await token(t.id);
    const mail = await rows(tok, 'EmailEvents | where SenderDisplayName contains "onerror" | project SenderDisplayName, Subject | take 1');
    assert.equal(mail[0]!.SenderDisplayName, `${hostile} IT Service Desk`);
    assert.ok(String(mail[0]!.Subject).startsWith(hostile));
    const alert = await rows(tok, `AlertInfo | where Title == @'${title.replace(/'/g, "''")}'`);
    assert.equal(alert.length, 1);
    assert.equal(alert[0]!.Title, title);
    const proc = await rows(tok, 'DeviceProcessEvents | where ProcessCommandLine has "onload" | project ProcessCommandLine');
    assert.ok(proc.some((x) => x.ProcessCommandLine === cmd));
  });
});
