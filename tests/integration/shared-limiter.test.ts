import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { CERT_DIR } from "../../scripts/lib/stack.ts";
import type { SimulatorHandle } from "../../simulator/server.ts";
import { createPrismaClient, type PrismaClient } from "../../lib/db/client.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";
import { PostgresRateLimiter, pruneApiBudgets } from "../../lib/microsoft/shared-limiter.ts";
import { startSimulatedBackend } from "../support/backend.ts";
import { Spawned } from "../support/process.ts";
import { uniqueTenantName, type SimControl } from "../support/sim-control.ts";

/**
 * Issue 12 §3: per-tenant quotas hold with several worker processes, because the limiter's state lives in PostgreSQL
 * (lib/microsoft/shared-limiter.ts). First the limiter alone (two clients, one budget; its cost per call), then two
 * compiled worker processes on one database running advanced hunts into one tenant whose hunting quota is set low on
 * both sides: the simulator's counters show the tenant never got more calls in any minute than its quota, and no 429.
 */
const clientId = randomUUID();
const clientSecret = randomBytes(24).toString("base64url");
const GRAPH = "https://graph.microsoft.com";
let sim: SimulatorHandle;
let control: SimControl;
let database: Awaited<ReturnType<typeof startSimulatedBackend>>["database"];
let prisma: PrismaClient;
let partnerId: string;
const workers: Spawned[] = [];

before(async () => {
  const build = spawnSync("npm", ["run", "build:worker"], { encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  ({ database, sim, control, prisma, partnerId } = await startSimulatedBackend({
    label: "sharedlimiter",
    clientId,
    clientSecret,
    defender: { incidentsPerTenant: 4, quotas: true },
  }));
});
after(async () => {
  for (const w of workers) await w.kill();
  await prisma?.$disconnect();
  await sim?.close();
  await database?.drop();
});

test("two limiters on one database share a key's sliding window; one call costs one small round trip", async () => {
  // Two clients with pools of their own, as two processes have.
  const clients = [createPrismaClient(database.url), createPrismaClient(database.url)];
  const [a, b] = clients.map((c) => new PostgresRateLimiter(c, { marginMs: 0 })) as [PostgresRateLimiter, PostgresRateLimiter];
  const windows = [{ limit: 4, ms: 2_000 }];
  const key = `${randomUUID()}:xdr`;
  const times: number[] = [];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? a : b).acquire(key, windows).then(() => {
        times.push(Date.now());
      }),
    ),
  );
  times.sort((x, y) => x - y);
  // Never more than 4 in any 2 s: the 5th call after any call comes at least a window later (the times here are when
  // each acquire returned to this process, so 200 ms of slack for a loaded machine).
  for (let i = 0; i + 4 < times.length; i++) assert.ok(times[i + 4]! - times[i]! >= 1_800, `calls ${i} and ${i + 4} ${times[i + 4]! - times[i]!} ms apart`);
  assert.ok(Date.now() - started >= 2 * 1_800, "12 calls at 4 per 2 s take at least two windows");
  // An unrelated key is not held up by this one, and another window (per hour) is checked too.
  const other = Date.now();
  await a.acquire(`${randomUUID()}:graph`, [
    { limit: 150, ms: 60_000 },
    { limit: 1_500, ms: 3_600_000 },
  ]);
  assert.ok(Date.now() - other < 1_000);

  // Cost: sequential acquires well under the quota (what a sync does between its HTTP calls).
  const costKey = `${randomUUID()}:graph`;
  const n = 300;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await a.acquire(costKey, [{ limit: 1_000, ms: 60_000 }]);
  const perCall = (performance.now() - t0) / n;
  // And four at once on four keys, as a worker with SYNC_CONCURRENCY 4 does.
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      const k = `${randomUUID()}:graph`;
      for (let i = 0; i < n / 4; i++) await b.acquire(k, [{ limit: 1_000, ms: 60_000 }]);
    }),
  );
  const concurrentPerCall = (performance.now() - t1) / (n / 4);
  console.log(
    `shared limiter: ${perCall.toFixed(2)} ms per acquire alone (${n} sequential on one key), ${concurrentPerCall.toFixed(2)} ms per acquire with 4 slots on 4 keys`,
  );
  assert.ok(perCall < 50 && concurrentPerCall < 100, `an acquire costs ${perCall} / ${concurrentPerCall} ms`);

  // Idle budgets are pruned (here: everything idle for 0 ms).
  assert.ok((await pruneApiBudgets(prisma, 0)) >= 7);
  assert.equal(await prisma.apiBudget.count(), 0);
  for (const c of clients) await c.$disconnect();
});

test("two worker processes hunting in one tenant stay under its calls-per-minute quota together: no 429", async () => {
  const perMinute = 2;
  const t = await control.createTenant(uniqueTenantName("Shared Quota"));
  await control.grantConsent(t.id, { [GRAPH]: ["SecurityIncident.Read.All", "SecurityAlert.Read.All", "ThreatHunting.Read.All"] });
  const customerId = randomUUID();
  await prisma.customer.create({
    data: {
      id: customerId,
      partnerId,
      displayName: t.displayName,
      region: "eu",
      tenantId: t.id,
      status: "CONSENTED",
      grantedRoles: [`${GRAPH}/ThreatHunting.Read.All`],
    },
  });
  // The quota set low on both sides: Microsoft's (the simulator's) and the portal's own.
  // Each query takes 2 s at Microsoft: the four hunts are all taken at once, by four hunt slots in two processes.
  await control.setHunting(t.id, { callsPerMinute: perMinute, slowMs: 2_000 });
  const env: Record<string, string> = {
    DATABASE_URL: process.env.DATABASE_URL!,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL!,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET!,
    ENTRA_AUTHORITY_HOST: process.env.ENTRA_AUTHORITY_HOST!,
    MICROSOFT_API_BASE: process.env.MICROSOFT_API_BASE!,
    ENTRA_PARTNER_TENANT_ID: process.env.ENTRA_PARTNER_TENANT_ID!,
    ENTRA_CLIENT_ID: clientId,
    ENTRA_CLIENT_SECRET: clientSecret,
    NODE_ENV: "production",
    NODE_EXTRA_CA_CERTS: join(CERT_DIR, "ca.pem"),
    METRICS_PORT: "0",
    LOG_LEVEL: "info",
    SYNC_CONCURRENCY: "1",
    HUNT_CALLS_PER_MINUTE: String(perMinute),
    // A 429 would be reported at once instead of waited out, so it cannot hide in a retry.
    HUNT_MAX_RETRY_AFTER_SECONDS: "0",
  };
  for (let i = 0; i < 2; i++) {
    const w = Spawned.start(["--enable-source-maps", "dist/worker.mjs"], env);
    workers.push(w);
    await w.waitForLine((l) => l.includes('"sync worker started"'), 60_000);
  }
  // Four hunts into the one tenant: each worker runs two hunts at a time, so both processes hold some, all at once.
  const { createHuntRun } = await import("../../lib/data/hunting.ts");
  const adminId = randomUUID();
  await prisma.portalUser.create({
    data: {
      id: adminId,
      partnerId,
      entraObjectId: randomUUID(),
      email: "admin@partner.test",
      displayName: "Admin",
      role: "ADMIN",
      roleSource: "entra-app-role",
    },
  });
  const admin: Viewer = { userId: adminId, partnerId, name: "Admin", email: "admin@partner.test", role: "ADMIN", customerScope: "all" };
  const runs: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await createHuntRun(admin, { query: `DeviceInfo | take ${i + 1}`, timespan: "P7D", scope: "pick", customers: [customerId] });
    assert.ok(r.ok, JSON.stringify(r));
    runs.push(r.value.id);
  }
  const started = Date.now();
  const deadline = started + 150_000;
  for (;;) {
    const open = await prisma.huntRun.count({ where: { id: { in: runs }, status: { in: ["queued", "running"] } } });
    if (open === 0) break;
    if (Date.now() > deadline) throw new Error(`hunts still open: ${open}; worker said:\n${workers.flatMap((w) => w.lines.slice(-5)).join("\n")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const counters = (await control.huntingCounters()).tenants[t.id]!;
  assert.equal(counters.throttledRate, 0, "no 429 for the calls-per-minute quota");
  assert.equal(counters.calls, 4, "one call per hunt");
  assert.equal(counters.ok, 4);
  assert.ok(counters.peakCallsPerMinute <= perMinute, `at most ${perMinute} calls in any minute, saw ${counters.peakCallsPerMinute}`);
  // The quota really paced them: the second pair waited for the first pair's minute to pass.
  assert.ok(Date.now() - started >= 60_000, "four calls at two per minute span more than a minute");
  const tenants = await prisma.huntTenantRun.findMany({ where: { runId: { in: runs } }, select: { status: true } });
  assert.deepEqual(
    tenants.map((x) => x.status),
    ["done", "done", "done", "done"],
  );
  // Both processes ran hunts (each has two hunt slots; four hunts were due at once), and none was run twice.
  const ranBy = workers.map((w) => runs.filter((id) => w.lines.some((l) => l.includes('"hunt run started"') && l.includes(id))));
  assert.ok(ranBy[0]!.length > 0 && ranBy[1]!.length > 0, `hunts per worker: ${ranBy.map((r) => r.length).join(", ")}`);
  assert.equal(ranBy[0]!.length + ranBy[1]!.length, 4);
});
