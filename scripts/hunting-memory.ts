// Memory of the simulator's advanced hunting with many tenants: starts a simulator in this process, creates N customer
// tenants (default 1,000) with ThreatHunting.Read.All, then a child process (the client, so its token cache and HTTP
// buffers are not counted) runs one hunting query per tenant over HTTPS with a real token. Prints this process's RSS
// and heap before and after (after a forced GC).
//   NODE_EXTRA_CA_CERTS=.data/certs/ca.pem node --expose-gc --import tsx scripts/hunting-memory.ts [N]
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { startSimulator } from "../simulator/server.ts";

if (process.argv[2] === "--client") {
  // Child: hunt once per tenant named on stdin ({url, port, partner, ids}); prints the number of rows.
  const input = JSON.parse(
    await new Promise<string>((resolve) => {
      let buf = "";
      process.stdin.on("data", (d) => (buf += String(d)));
      process.stdin.on("end", () => resolve(buf));
    }),
  ) as { url: string; port: number; partner: string; ids: string[] };
  const client = new ConfidentialClientApplication({
    auth: {
      clientId: "0b7f8e9d-1c2a-4b3c-9d4e-5f6a7b8c9d0e",
      authority: `${input.url}/${input.partner}`,
      knownAuthorities: [`localhost:${input.port}`],
      clientSecret: "hunting-memory-secret",
    },
  });
  let total = 0;
  for (const id of input.ids) {
    const tok = await client.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"], authority: `${input.url}/${id}` });
    const res = await fetch(`${input.url}/graph.microsoft.com/v1.0/security/runHuntingQuery`, {
      method: "POST",
      headers: { authorization: `Bearer ${tok!.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ Query: process.env.HUNT_QUERY }),
    });
    if (res.status !== 200) throw new Error(`tenant ${id}: ${res.status} ${await res.text()}`);
    total += ((await res.json()) as { results: unknown[] }).results.length;
  }
  console.log(total);
  process.exit(0);
}

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
  console.log(`${label}: rss ${mb(m.rss)}, heapTotal ${mb(m.heapTotal)}, heapUsed ${mb(m.heapUsed)}, external ${mb(m.external)}`);
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
const ids: string[] = [];
for (let i = 0; i < N; i++) {
  const t = await control("POST", "/_sim/tenants", { displayName: `Memory Customer ${i}`, domain: `memcust${i}.onmicrosoft.com` });
  await control("POST", `/_sim/tenants/${String(t.id)}/consent`, { roles: { [GRAPH]: ["ThreatHunting.Read.All"] } });
  ids.push(String(t.id));
}
const before = snapshot(`${N} tenants created, none hunted`);
const t0 = Date.now();
const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--client"], {
  stdio: ["pipe", "pipe", "inherit"],
  env: { ...process.env, HUNT_QUERY: QUERY },
});
child.stdin.end(JSON.stringify({ url: sim.url, port: sim.port, partner: sim.directory.partner.id, ids }));
let out = "";
child.stdout.on("data", (d) => (out += String(d)));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
clearInterval(sampler);
if (code !== 0) throw new Error(`client exited with ${code}`);
const rows = Number(out.trim());
const after = snapshot(`${N} tenants hunted once (${rows} rows returned, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
const cache = await control("GET", "/_sim/hunting");
console.log(`table cache: ${JSON.stringify(cache.cache)}`);
console.log(`growth: rss ${mb(after.rss - before.rss)}, heapUsed ${mb(after.heapUsed - before.heapUsed)}; peak rss while hunting ${mb(peakRss)}`);
await sim.close();
