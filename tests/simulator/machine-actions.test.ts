// Defender for Endpoint machine actions of the simulator (isolate, release, antivirus scan, investigation package),
// exercised with real msal-node tokens over HTTPS, against the documented contract (isolate-machine.md,
// unisolate-machine.md, run-av-scan.md, collect-investigation-package.md, machineaction.md, get-package-sas-uri.md).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";

const CLIENT_ID = "7c4e2f1a-3b5d-4e6f-8a9b-0c1d2e3f4a5b";
const SECRET = "machine-actions-test-secret";
const WDATP = "https://api.securitycenter.microsoft.com";
const HOST = "api.security.microsoft.com";
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sim: SimulatorHandle;
let cca: ConfidentialClientApplication;

before(async () => {
  if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error("Run with NODE_EXTRA_CA_CERTS=.data/certs/ca.pem");
  sim = await startSimulator({
    port: 0,
    certDir: ".data/certs",
    seed: "machine-actions-test",
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
  const r = await cca.acquireTokenByClientCredential({ scopes: [`${WDATP}/.default`], authority: `${sim.url}/${tenantId}`, skipCache: true });
  return r!.accessToken;
}

async function control(method: string, p: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${sim.url}${p}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(res.status < 300, `${method} ${p} -> ${res.status}`);
  return (await res.json()) as Json;
}

async function api(method: string, path: string, tok: string, body?: unknown): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(`${sim.url}/${HOST}${path}`, {
    method,
    headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json, headers: res.headers };
}

const grant = (tid: string, roles: string[]) => control("POST", `/_sim/tenants/${tid}/consent`, { roles: { [WDATP]: ["Alert.Read.All", ...roles] } });
const machines = async (tid: string) => (await control("GET", `/_sim/tenants/${tid}/defender/machines`)).machines as Json[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("MDE machine actions", () => {
  let tid: string;
  let tok: string;
  before(async () => {
    tid = licensed(0);
    await grant(tid, ["Machine.Read.All", "Machine.Isolate", "Machine.Scan", "Machine.CollectForensics"]);
    await control("PUT", `/_sim/tenants/${tid}/defender/machineactions`, { pendingMs: 150, runMs: 150 });
    tok = await token(tid);
  });

  test("the machines are the devices the alerts name: 40-hex ids, stable", async () => {
    const list = await machines(tid);
    assert.equal(list.length, 8);
    for (const m of list) assert.match(m.id, /^[0-9a-f]{40}$/);
    assert.deepEqual(
      (await machines(tid)).map((m) => m.id),
      list.map((m) => m.id),
    );
    const alerts = await fetch(`${sim.url}/${HOST}/api/alerts?$expand=evidence`, { headers: { authorization: `Bearer ${tok}` } }).then(
      (r) => r.json() as Promise<Json>,
    );
    const named = new Set((alerts.value as Json[]).map((a) => a.machineId).filter(Boolean));
    assert.ok(named.size > 0 && [...named].every((id) => list.some((m) => m.id === id)), "every alert's machineId is a machine");
  });

  test("isolate: 201 with a documented MachineAction, Pending → InProgress → Succeeded, the machine isolated; release", async () => {
    const m = (await machines(tid))[0]!;
    const r = await api("POST", `/api/machines/${m.id}/isolate`, tok, { Comment: "Isolate due to alert 1234", IsolationType: "Selective" });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    for (const k of [
      "id",
      "type",
      "scope",
      "requestor",
      "requestorComment",
      "status",
      "machineId",
      "computerDnsName",
      "creationDateTimeUtc",
      "lastUpdateDateTimeUtc",
    ]) {
      assert.ok(k in r.json, k);
    }
    assert.equal(r.json.type, "Isolate");
    assert.equal(r.json.scope, "Selective");
    assert.equal(r.json.status, "Pending");
    assert.equal(r.json.machineId, m.id);
    assert.equal(r.json.requestorComment, "Isolate due to alert 1234");
    // A second isolation while the first is pending: the documented 400.
    const dup = await api("POST", `/api/machines/${m.id}/isolate`, tok, { Comment: "again", IsolationType: "Full" });
    assert.equal(dup.status, 400);
    assert.equal(dup.json.error.code, "ActiveRequestAlreadyExists");
    await sleep(200);
    assert.equal((await api("GET", `/api/machineactions/${r.json.id}`, tok)).json.status, "InProgress");
    await sleep(200);
    const done = await api("GET", `/api/machineactions/${r.json.id}`, tok);
    assert.equal(done.status, 200);
    assert.equal(done.json.status, "Succeeded");
    assert.equal((await machines(tid)).find((x) => x.id === m.id)!.isolated, true);
    const recorded = (await control("GET", `/_sim/tenants/${tid}/defender/machineactions`)).actions as Json[];
    assert.deepEqual(recorded.find((a) => a.id === r.json.id)!.body, { Comment: "Isolate due to alert 1234", IsolationType: "Selective" });
    const rel = await api("POST", `/api/machines/${m.id}/unisolate`, tok, { Comment: "Released" });
    assert.equal(rel.status, 201);
    assert.equal(rel.json.type, "Unisolate");
    await sleep(350);
    assert.equal((await machines(tid)).find((x) => x.id === m.id)!.isolated, false);
  });

  test("scan and investigation package; the package link only once collected; failNext makes an action fail", async () => {
    const m = (await machines(tid))[1]!;
    const scan = await api("POST", `/api/machines/${m.id}/runAntiVirusScan`, tok, { Comment: "scan", ScanType: "Quick" });
    assert.equal(scan.status, 201);
    assert.equal(scan.json.type, "RunAntiVirusScan");
    assert.equal(scan.json.scope, "Quick");
    const pkg = await api("POST", `/api/machines/${m.id}/collectInvestigationPackage`, tok, { Comment: "collect" });
    assert.equal(pkg.status, 201);
    assert.equal(pkg.json.type, "CollectInvestigationPackage");
    assert.equal((await api("GET", `/api/machineactions/${pkg.json.id}/GetPackageUri`, tok)).status, 404, "not complete yet: 404 as documented");
    await sleep(350);
    const uri = await api("GET", `/api/machineactions/${pkg.json.id}/getPackageUri`, tok);
    assert.equal(uri.status, 200);
    assert.match(uri.json.value, /^"https:\/\/.+WDATP_Investigation_Package\.zip\?token=.+"$/);
    await control("PUT", `/_sim/tenants/${tid}/defender/machineactions`, { failNext: 1 });
    const failing = await api("POST", `/api/machines/${m.id}/runAntiVirusScan`, tok, { Comment: "scan again", ScanType: "Full" });
    await sleep(350);
    assert.equal((await api("GET", `/api/machineactions/${failing.json.id}`, tok)).json.status, "Failed");
  });

  test("errors: 400 without a Comment, 404 for an unknown machine or action, every request recorded", async () => {
    const m = (await machines(tid))[2]!;
    const noComment = await api("POST", `/api/machines/${m.id}/runAntiVirusScan`, tok, { ScanType: "Quick" });
    assert.equal(noComment.status, 400);
    assert.equal(noComment.json.error.code, "InvalidRequestBody");
    const unknown = "0".repeat(40);
    const nf = await api("POST", `/api/machines/${unknown}/isolate`, tok, { Comment: "x", IsolationType: "Full" });
    assert.equal(nf.status, 404);
    assert.equal(nf.json.error.code, "ResourceNotFound");
    assert.equal((await api("GET", `/api/machineactions/${crypto.randomUUID()}`, tok)).status, 404);
    const requests = (await control("GET", "/_sim/defender/machineactions/requests")).requests as Json[];
    assert.ok(requests.some((r) => r.path.includes(`/api/machines/${unknown}/isolate`)));
  });

  test("403 with the documented error body when the app lacks the role", async () => {
    const other = licensed(1);
    await grant(other, ["Machine.Read.All"]);
    const t = await token(other);
    const m = (await machines(other))[0]!;
    const r = await api("POST", `/api/machines/${m.id}/isolate`, t, { Comment: "x", IsolationType: "Full" });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, "Forbidden");
    assert.match(r.json.error.message, /Machine\.Isolate/);
    assert.equal(((await control("GET", `/_sim/tenants/${other}/defender/machineactions`)).actions as Json[]).length, 0);
  });

  test("quota: 100 calls a minute per tenant, then 429 with Retry-After", async () => {
    const other = licensed(2);
    await grant(other, ["Machine.Read.All", "Machine.Scan"]);
    const t = await token(other);
    await control("POST", `/_sim/tenants/${other}/defender/quotas/reset`);
    const id = crypto.randomUUID();
    for (let i = 0; i < 100; i++) assert.equal((await api("GET", `/api/machineactions/${id}`, t)).status, 404);
    const r = await api("GET", `/api/machineactions/${id}`, t);
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get("retry-after")) >= 1);
    assert.equal(r.json.error.code, "TooManyRequests");
  });
});
