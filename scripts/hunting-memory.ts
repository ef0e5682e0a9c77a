// Memory of the simulator's advanced hunting with many tenants: starts a simulator in this process, creates N customer
// tenants (default 1,000) with ThreatHunting.Read.All, runs one hunting query per tenant over HTTPS with a real token,
// and prints the process RSS and heap before and after (after a forced GC).
//   NODE_EXTRA_CA_CERTS=.data/certs/ca.pem node --expose-gc --import tsx scripts/hunting-memory.ts [N]
import { ConfidentialClientApplication } from "@azure/msal-node";
import { startSimulator } from "../simulator/server.ts";

const N = Number(process.argv[2] ?? 1000);
const CLIENT_ID = "0b7f8e9d-1c2a-4b3c-9d4e-5f6a7b8c9d0e";
const SECRET = "hunting-memory-secret";
const GRAPH = "https://graph.microsoft.com";
const QUERY =
  'DeviceProcessEvents | where ProcessCommandLine has "EncodedCommand" or FileName =~ "rundll32.exe" | project Timestamp, DeviceName, ProcessCommandLine';

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const snapshot = (label: string) => {
  gc?.();
  const m = process.memoryUsage();
  console.log(`${label}: rss ${mb(m.rss)}, heapUsed ${mb(m.heapUsed)}`);
  return m;
};

const sim = await startSimulator({
  port: 0,
  certDir: ".data/certs",
  seed: "hunting-memory",
  app: { clientId: CLIENT_ID, displayName: "Memory probe", clientSecrets: [SECRET], certificates: [], redirectUris: ["http://localhost:3000/cb"] },
});
const control = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`${sim.url}${p}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p} -> ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
};
const cca = new ConfidentialClientApplication({
  auth: { clientId: CLIENT_ID, authority: `${sim.url}/${sim.directory.partner.id}`, knownAuthorities: [`localhost:${sim.port}`], clientSecret: SECRET },
});

const ids: string[] = [];
for (let i = 0; i < N; i++) {
  const t = await control("POST", "/_sim/tenants", { displayName: `Memory Customer ${i}`, domain: `memcust${i}.onmicrosoft.com` });
  await control("POST", `/_sim/tenants/${String(t.id)}/consent`, { roles: { [GRAPH]: ["ThreatHunting.Read.All"] } });
  ids.push(String(t.id));
}
const before = snapshot(`${N} tenants created, none hunted`);
const t0 = Date.now();
let rows = 0;
for (const id of ids) {
  const tok = await cca.acquireTokenByClientCredential({ scopes: [`${GRAPH}/.default`], authority: `${sim.url}/${id}` });
  const res = await fetch(`${sim.url}/graph.microsoft.com/v1.0/security/runHuntingQuery`, {
    method: "POST",
    headers: { authorization: `Bearer ${tok!.accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({ Query: QUERY }),
  });
  if (res.status !== 200) throw new Error(`tenant ${id}: ${res.status} ${await res.text()}`);
  rows += ((await res.json()) as { results: unknown[] }).results.length;
}
const after = snapshot(`${N} tenants hunted once (${rows} rows returned, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
const cache = await control("GET", "/_sim/hunting");
console.log(`table cache: ${JSON.stringify(cache.cache)}`);
console.log(`growth: rss ${mb(after.rss - before.rss)}, heapUsed ${mb(after.heapUsed - before.heapUsed)}`);
await sim.close();
