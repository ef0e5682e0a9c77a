import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import PgBoss from "pg-boss";
import { ensureNextBuild } from "../../scripts/lib/next-build.ts";
import { createMigratedDatabase } from "../support/db.ts";
import { seriesOf } from "../support/metrics.ts";
import { freePort, jsonLines, Spawned } from "../support/process.ts";

/**
 * Issue 12 §4 on the web process as production runs it (`node scripts/serve.mjs` over the built app): the
 * token-protected /api/metrics, request durations by route pattern, JSON logs with request ids and no secrets, and a
 * SIGTERM that drains the request in flight before exiting 0.
 */
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
const secrets = {
  NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
  ENTRA_CLIENT_SECRET: randomBytes(24).toString("base64url"),
  METRICS_TOKEN: randomBytes(24).toString("hex"),
};
let env: Record<string, string>;

async function startWeb(opts: { metricsToken: boolean }): Promise<{ web: Spawned; url: string }> {
  const port = await freePort();
  const { METRICS_TOKEN, ...rest } = env;
  const web = Spawned.start(["scripts/serve.mjs"], { ...rest, PORT: String(port), ...(opts.metricsToken ? { METRICS_TOKEN: METRICS_TOKEN! } : {}) });
  await web.waitForLine((l) => l.includes('"portal listening"'), 60_000);
  return { web, url: `http://127.0.0.1:${port}` };
}

before(async () => {
  await ensureNextBuild();
  database = await createMigratedDatabase("opsweb");
  // The queue's schema, as a worker would have installed it (readiness and the queue gauges read it).
  const boss = new PgBoss({ connectionString: database.url, supervise: false, schedule: false });
  await boss.start();
  await boss.createQueue("ops-test", { name: "ops-test", policy: "standard" });
  await boss.send("ops-test", { customerId: randomUUID() });
  await boss.stop({ graceful: false, wait: true });
  env = {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: database.url,
    NEXTAUTH_URL: "http://localhost:3999",
    ENTRA_PARTNER_TENANT_ID: randomUUID(),
    ENTRA_CLIENT_ID: randomUUID(),
    TRUSTED_PROXIES: "127.0.0.1, ::1",
    SHUTDOWN_TIMEOUT_SECONDS: "15",
    ...secrets,
  };
});
after(async () => {
  await database?.drop();
});

test("GET /api/metrics: 401 without or with a wrong token, Prometheus text with it; routes by pattern; JSON logs with request ids, no secrets", async () => {
  const { web, url } = await startWeb({ metricsToken: true });
  try {
    assert.equal((await fetch(`${url}/api/metrics`)).status, 401);
    assert.equal((await fetch(`${url}/api/metrics`, { headers: { authorization: `Bearer ${secrets.METRICS_TOKEN}x` } })).status, 401);
    assert.equal((await fetch(`${url}/api/metrics`, { headers: { authorization: `Bearer ${secrets.METRICS_TOKEN.slice(0, 20)}` } })).status, 401);

    // A request id from a trusted proxy (loopback here) is kept; the response carries it.
    const live = await fetch(`${url}/api/health/live`, { headers: { "x-request-id": "lb-req-000123" } });
    assert.equal(live.status, 200);
    assert.equal(live.headers.get("x-request-id"), "lb-req-000123");
    const ready = await fetch(`${url}/api/health/ready`);
    assert.equal(ready.status, 200);
    assert.match(ready.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/, "generated when none was sent");
    // A page with an id in its path, and the onboarding page whose path segment is a consent link's secret state.
    const incidentId = randomUUID();
    const stateSecret = `state${randomBytes(12).toString("hex")}`;
    // Read to the end: a streamed page's duration is recorded when its response finishes, after the headers arrive.
    await (await fetch(`${url}/incidents/${incidentId}`, { redirect: "manual" })).text();
    await (await fetch(`${url}/onboard/${stateSecret}`, { redirect: "manual" })).text();

    const res = await fetch(`${url}/api/metrics`, { headers: { authorization: `Bearer ${secrets.METRICS_TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const series = seriesOf(text);
    const routes = new Set(series.filter((s) => s.name === "portal_web_request_duration_seconds_count").map((s) => `${s.labels.kind} ${s.labels.route}`));
    for (const r of ["api /api/health/live", "api /api/health/ready", "page /incidents/[id]", "page /onboard/[state]"])
      assert.ok(routes.has(r), `${r} in ${[...routes].join(", ")}`);
    for (const name of ["portal_sync_lag_max_seconds", "portal_sync_lag_p95_seconds", "portal_process_resident_memory_bytes"]) {
      assert.ok(
        series.some((s) => s.name === name),
        name,
      );
    }
    assert.match(text, /^portal_queue_jobs\{queue="ops-test",state="created"\} 1$/m, "queue depth from pg-boss's tables");
    assert.match(text, /^portal_queue_oldest_waiting_seconds\{queue="ops-test"\} \d/m);
    assert.ok(
      series.some((s) => s.name === "portal_metrics_source_up" && s.labels.source === "queue") && text.includes('portal_metrics_source_up{source="queue"} 1'),
    );
    for (const leak of [incidentId, stateSecret, ...Object.values(secrets), env.ENTRA_PARTNER_TENANT_ID!])
      assert.ok(!text.includes(leak), "metrics hold no ids or secrets");

    // Logs: every line JSON; access lines carry the request id and the route pattern, never the path.
    await new Promise((r) => setTimeout(r, 200));
    const lines = jsonLines(web.lines);
    const access = lines.filter((l) => l.msg === "request");
    const liveLine = access.find((l) => l.route === "/api/health/live");
    assert.equal(liveLine?.requestId, "lb-req-000123");
    assert.equal(liveLine?.process, "web");
    assert.ok(access.every((l) => typeof l.requestId === "string" && typeof l.time === "string" && l.level === "info"));
    const all = web.lines.join("\n");
    for (const leak of [stateSecret, incidentId, ...Object.values(secrets)]) assert.ok(!all.includes(leak), "logs hold no secret and no raw path");
  } finally {
    await web.kill();
  }
});

test("without METRICS_TOKEN /api/metrics is 404; SIGTERM drains the request in flight, refuses new connections and exits 0", async () => {
  const { web, url } = await startWeb({ metricsToken: false });
  const lock = new pg.Client({ connectionString: database.url });
  try {
    assert.equal((await fetch(`${url}/api/metrics`)).status, 404);
    assert.equal((await fetch(`${url}/api/metrics`, { headers: { authorization: "Bearer anything-at-all-here" } })).status, 404);

    // Hold the migrations table so /api/health/ready waits on it: a request that is in flight when SIGTERM comes.
    await lock.connect();
    await lock.query("BEGIN");
    await lock.query('LOCK TABLE "_prisma_migrations" IN ACCESS EXCLUSIVE MODE');
    const started = Date.now();
    const inFlight = fetch(`${url}/api/health/ready`);
    await new Promise((r) => setTimeout(r, 400));
    web.child.kill("SIGTERM");
    await web.waitForLine((l) => l.includes('"stopping: no new connections, draining requests"'), 5_000);
    await assert.rejects(fetch(`${url}/api/health/live`), "no new connections once stopping");
    assert.equal(web.child.exitCode, null, "still running while a request is in flight");
    await lock.query("COMMIT");
    const res = await inFlight;
    assert.equal(res.status, 200, "the request in flight was answered");
    assert.equal(((await res.json()) as { status: string }).status, "ready");
    assert.ok(Date.now() - started >= 400);
    const { code, signal } = await web.exited;
    assert.equal(signal, null);
    assert.equal(code, 0);
    const lines = jsonLines(web.lines);
    assert.ok(lines.some((l) => l.msg === "stopped"));
  } finally {
    await lock.end().catch(() => {});
    await web.kill();
  }
});
