import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { CERT_DIR, simulatedPortalEnv } from "../../scripts/lib/stack.ts";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";
import type { PrismaClient } from "../../lib/db/client.ts";
import { createMigratedDatabase } from "../support/db.ts";
import { seriesOf } from "../support/metrics.ts";
import { jsonLines, Spawned } from "../support/process.ts";
import { SimControl, uniqueTenantName } from "../support/sim-control.ts";

/**
 * Issue 12 §4 on the worker as production runs it: `npm run build:worker` bundles scripts/worker.ts into
 * dist/worker.mjs, run with node alone (no TypeScript loader) against the simulator. Its metrics port after a sync
 * (names, labels, no tenant in any series), its JSON logs (no secrets), and SIGTERM in the middle of a sync run (the
 * run finishes, the state is clean, exit 0).
 */
const clientId = randomUUID();
const clientSecret = randomBytes(24).toString("base64url");
const authSecret = randomBytes(32).toString("base64url");
let sim: SimulatorHandle;
let control: SimControl;
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
let partnerId: string;
let worker: Spawned;
let workerEnv: Record<string, string>;

function startWorker(extra: Record<string, string>): Spawned {
  return Spawned.start(["--enable-source-maps", "dist/worker.mjs"], {
    ...workerEnv,
    NODE_ENV: "production",
    NODE_EXTRA_CA_CERTS: join(CERT_DIR, "ca.pem"),
    METRICS_PORT: "0",
    LOG_LEVEL: "debug",
    SYNC_CONCURRENCY: "2",
    ...extra,
  });
}
let metricsUrl: string;
const customers: { id: string; tenantId: string; displayName: string }[] = [];

async function consentedCustomer(label: string) {
  const t = await control.createTenant(uniqueTenantName(label));
  await control.grantConsent(t.id);
  const id = randomUUID();
  await prisma.customer.create({ data: { id, partnerId, displayName: t.displayName, region: "eu", tenantId: t.id, status: "CONSENTED" } });
  const c = { id, tenantId: t.id, displayName: t.displayName };
  customers.push(c);
  return c;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; worker said:\n${worker.lines.slice(-10).join("\n")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  const build = spawnSync("npm", ["run", "build:worker"], { encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  database = await createMigratedDatabase("opsworker");
  sim = await startSimulator({
    port: 0,
    certDir: CERT_DIR,
    seed: "ops-worker-tests",
    app: { clientId, displayName: "Ops tests", clientSecrets: [clientSecret], certificates: [], redirectUris: [] },
    defender: { incidentsPerTenant: 20, quotas: true },
  });
  control = new SimControl(sim.url);
  const env = simulatedPortalEnv({ databaseUrl: database.url, appUrl: "http://localhost:3999", authSecret, sim, clientId, clientSecret });
  Object.assign(process.env, env);
  prisma = (await import("../../lib/db/client.ts")).db();
  partnerId = (await (await import("../../lib/data/partner.ts")).currentPartner()).id;
  await consentedCustomer("Ops Alpha");
  await consentedCustomer("Ops Beta");
  workerEnv = env;
  worker = startWorker({ SHUTDOWN_TIMEOUT_SECONDS: "30" });
  const listening = JSON.parse(await worker.waitForLine((l) => l.includes('"metrics listening"'))) as { host: string; port: number };
  assert.equal(listening.host, "127.0.0.1", "loopback unless METRICS_HOST says otherwise");
  metricsUrl = `http://127.0.0.1:${listening.port}/metrics`;
});
after(async () => {
  await worker?.kill();
  await prisma?.$disconnect();
  await sim?.close();
  await database?.drop();
});

test("the compiled worker's metrics after a sync: API calls, tokens, runs, lag and queue series, no tenant in any of them", async () => {
  await until("both customers synced", async () => {
    const done = await prisma.syncState.count({ where: { customerId: { in: customers.map((c) => c.id) }, lastSuccessAt: { not: null } } });
    return done === 4;
  });
  assert.equal((await fetch(metricsUrl.replace("/metrics", "/other"))).status, 404);
  const res = await fetch(metricsUrl);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const series = seriesOf(text);
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  assert.ok(value(/^portal_microsoft_api_calls_total\{api="graph",status_class="2xx"\} (\d+)/m) >= 4, "API calls counted");
  assert.ok(value(/^portal_token_requests_total\{outcome="issued"\} (\d+)/m) >= 2, "token requests counted");
  assert.ok(value(/^portal_sync_runs_total\{feed="incidents",outcome="ok"\} (\d+)/m) >= 2);
  assert.ok(value(/^portal_sync_runs_total\{feed="alerts",outcome="ok"\} (\d+)/m) >= 2);
  assert.equal(value(/^portal_sync_tenants\{feed="incidents"\} (\d+)/m), 2);
  assert.equal(value(/^portal_sync_never_succeeded\{feed="alerts"\} (\d+)/m), 0);
  for (const feed of ["incidents", "alerts"]) {
    const max = value(new RegExp(`^portal_sync_lag_max_seconds\\{feed="${feed}"\\} ([\\d.e+-]+)`, "m"));
    const p95 = value(new RegExp(`^portal_sync_lag_p95_seconds\\{feed="${feed}"\\} ([\\d.e+-]+)`, "m"));
    assert.ok(max >= 0 && max < 120 && p95 >= 0 && p95 <= max + 1e-9, `${feed} lag ${p95} ≤ ${max}`);
  }
  assert.match(text, /^portal_queue_jobs\{queue="sync-feed",state="created"\} \d+$/m);
  assert.match(text, /^portal_queue_oldest_waiting_seconds\{queue="sync-feed"\} [\d.e+-]+$/m);
  assert.match(text, /^portal_metrics_source_up\{source="sync_state"\} 1$/m);
  // The portal's own series use these labels only (the process_*/nodejs_* defaults have prom-client's).
  const ours = series.filter((s) => !/^portal_(process|nodejs)_/.test(s.name));
  const allowed = new Set(["api", "status_class", "outcome", "feed", "queue", "state", "route", "method", "kind", "channel", "source", "le"]);
  for (const s of ours) for (const k of Object.keys(s.labels)) assert.ok(allowed.has(k), `${s.name} label ${k}`);
  for (const c of customers) {
    for (const leak of [c.id, c.tenantId, c.displayName]) assert.ok(!text.includes(leak), "no tenant, customer id or name in the metrics");
  }
  for (const leak of [clientSecret, authSecret, clientId]) assert.ok(!text.includes(leak), "no secret in the metrics");
});

test("SIGTERM mid-sync: no new jobs, the running run finishes, state is clean, exit 0; every log line JSON without secrets", async () => {
  const slow = await consentedCustomer("Ops Slow");
  // Each call to Microsoft takes 2 s for this tenant: its runs are in progress long enough to be interrupted.
  await control.setFaults(slow.tenantId, { latencyMs: 2_000 });
  const runningFeeds = await until("a sync run of the slow tenant in progress", async () => {
    const rows = await prisma.syncState.findMany({ where: { customerId: slow.id, running: true }, select: { feed: true } });
    return rows.length ? rows.map((r) => r.feed) : null;
  });
  worker.child.kill("SIGTERM");
  const { code, signal } = await worker.exited;
  assert.equal(signal, null);
  assert.equal(code, 0, worker.lines.slice(-5).join("\n"));

  const states = await prisma.syncState.findMany({ where: { customerId: slow.id } });
  for (const s of states) {
    assert.equal(s.running, false, `${s.feed} not left running`);
    if (runningFeeds.includes(s.feed)) {
      assert.ok(s.lastSuccessAt, `${s.feed}: the run in progress at SIGTERM finished`);
      assert.equal(s.jobId, null);
      assert.equal(s.lastError, null);
    }
  }
  const active = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE state = 'active'`;
  assert.equal(active[0]!.n, 0, "no job left active");
  const failedByShutdown = await prisma.$queryRaw<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM pgboss.job WHERE output::text LIKE '%shut down while active%'`;
  assert.equal(failedByShutdown[0]!.n, 0, "no job was cut off");

  const lines = jsonLines(worker.lines);
  assert.ok(lines.every((l) => l.process === "worker" && typeof l.time === "string" && typeof l.level === "string" && typeof l.msg === "string"));
  const stopped = lines.find((l) => l.msg === "stopped");
  assert.equal(stopped?.unfinished, 0);
  assert.ok(lines.some((l) => l.msg === "stopping: no new jobs, waiting for running ones"));
  const all = worker.lines.join("\n");
  for (const leak of [clientSecret, authSecret]) assert.ok(!all.includes(leak), "no secret in the worker's log");
  assert.ok(!/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./.test(all), "no token in the worker's log");
});

test("SIGTERM with a run that outlasts SHUTDOWN_TIMEOUT_SECONDS: exit 0 in time, the run released (not running, due now) for another worker", async () => {
  worker = startWorker({ SHUTDOWN_TIMEOUT_SECONDS: "1" });
  await worker.waitForLine((l) => l.includes('"sync worker started"'));
  const stuck = await consentedCustomer("Ops Stuck");
  await control.setFaults(stuck.tenantId, { latencyMs: 20_000 });
  const runningAtSigterm = await until("a sync run of the stuck tenant in progress", async () => {
    const rows = await prisma.syncState.findMany({ where: { customerId: stuck.id, running: true }, select: { feed: true } });
    return rows.length ? rows.map((r) => r.feed) : null;
  });
  const sent = Date.now();
  worker.child.kill("SIGTERM");
  const { code } = await worker.exited;
  assert.equal(code, 0);
  assert.ok(Date.now() - sent < 10_000, "bounded: it did not wait for the 20 s call");
  const states = await prisma.syncState.findMany({ where: { customerId: stuck.id } });
  assert.ok(states.length > 0);
  for (const s of states) {
    assert.equal(s.running, false, `${s.feed} released`);
    // A feed that was only queued stays queued in pg-boss; one whose run was cut short is due again at once.
    if (runningAtSigterm.includes(s.feed)) assert.ok(!s.nextRunAt || s.nextRunAt.getTime() <= Date.now() + 1_000, `${s.feed} due again at once`);
  }
  const stopped = jsonLines(worker.lines).find((l) => l.msg === "stopped");
  assert.ok(Number(stopped?.unfinished) >= 1, "the unfinished run is reported");
  await control.setFaults(stuck.tenantId, { latencyMs: 0 });
});
