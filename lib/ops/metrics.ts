import client from "prom-client";
import type { PrismaClient } from "../db/client.ts";

/**
 * Prometheus metrics (issue 12 §4), one registry per process. The worker serves it on METRICS_PORT
 * (lib/ops/metrics-server.ts), the web process on GET /api/metrics behind METRICS_TOKEN. Every name starts with
 * `portal_` and is listed in the README. Labels hold only small, fixed vocabularies (API names, status classes,
 * feeds, queue names, route patterns): never a tenant id, a customer name, a URL with ids or anything secret —
 * per-tenant state is folded into max/p95 gauges at scrape time.
 */
export interface PortalMetrics {
  registry: client.Registry;
  apiCalls: client.Counter<"api" | "status_class">;
  tokenRequests: client.Counter<"outcome">;
  notificationDeliveries: client.Counter<"channel" | "outcome">;
  syncRuns: client.Counter<"feed" | "outcome">;
  syncRunDuration: client.Histogram<"feed">;
  webRequestDuration: client.Histogram<"route" | "method" | "kind" | "status_class">;
  syncLagMax: client.Gauge<"feed">;
  syncLagP95: client.Gauge<"feed">;
  syncTenants: client.Gauge<"feed">;
  syncNeverSucceeded: client.Gauge<"feed">;
  syncFailing: client.Gauge<"feed">;
  queueJobs: client.Gauge<"queue" | "state">;
  queueOldestWaiting: client.Gauge<"queue">;
  sourceUp: client.Gauge<"source">;
}

function create(): PortalMetrics {
  const registry = new client.Registry();
  const registers = [registry];
  // CPU, RSS, heap, event-loop lag, GC, open handles: what an operator asks first of a Node process.
  client.collectDefaultMetrics({ register: registry, prefix: "portal_" });
  return {
    registry,
    apiCalls: new client.Counter({
      name: "portal_microsoft_api_calls_total",
      help: "HTTP calls to Microsoft's security APIs by API (xdr, mde, graph, siem) and status class (2xx, 3xx, 4xx, 429, 5xx, none = no answer).",
      labelNames: ["api", "status_class"],
      registers,
    }),
    tokenRequests: new client.Counter({
      name: "portal_token_requests_total",
      help: "App-token acquisitions (client credentials) by outcome: issued (Entra answered), cached (MSAL cache), or the failure kind.",
      labelNames: ["outcome"],
      registers,
    }),
    notificationDeliveries: new client.Counter({
      name: "portal_notification_deliveries_total",
      help: "Notification deliveries by channel and outcome (recordNotificationDelivery in lib/ops/metrics.ts).",
      labelNames: ["channel", "outcome"],
      registers,
    }),
    syncRuns: new client.Counter({
      name: "portal_sync_runs_total",
      help: "Feed sync runs finished by this process, by feed and outcome (ok, failed).",
      labelNames: ["feed", "outcome"],
      registers,
    }),
    syncRunDuration: new client.Histogram({
      name: "portal_sync_run_duration_seconds",
      help: "Wall time of one feed sync run (one tenant, one feed).",
      labelNames: ["feed"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers,
    }),
    webRequestDuration: new client.Histogram({
      name: "portal_web_request_duration_seconds",
      help: "Web requests from arrival to the last byte, by route pattern, method, kind (page, rsc, action, api, static, other) and status class.",
      labelNames: ["route", "method", "kind", "status_class"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    syncLagMax: new client.Gauge({
      name: "portal_sync_lag_max_seconds",
      help: "Largest time since the last successful sync over the syncable tenants of a feed (tenants that never succeeded excluded: see portal_sync_never_succeeded).",
      labelNames: ["feed"],
      registers,
    }),
    syncLagP95: new client.Gauge({
      name: "portal_sync_lag_p95_seconds",
      help: "95th percentile over tenants of the time since a feed's last successful sync.",
      labelNames: ["feed"],
      registers,
    }),
    syncTenants: new client.Gauge({ name: "portal_sync_tenants", help: "Syncable tenants (consented, confirmed) per feed.", labelNames: ["feed"], registers }),
    syncNeverSucceeded: new client.Gauge({
      name: "portal_sync_never_succeeded",
      help: "Syncable tenants whose feed has not completed a sync yet.",
      labelNames: ["feed"],
      registers,
    }),
    syncFailing: new client.Gauge({
      name: "portal_sync_failing",
      help: "Syncable tenants whose feed's latest run failed.",
      labelNames: ["feed"],
      registers,
    }),
    queueJobs: new client.Gauge({
      name: "portal_queue_jobs",
      help: "pg-boss jobs per queue and state (created, retry, active).",
      labelNames: ["queue", "state"],
      registers,
    }),
    queueOldestWaiting: new client.Gauge({
      name: "portal_queue_oldest_waiting_seconds",
      help: "How long the oldest due job of a queue (created or retry, start time passed) has been waiting; 0 when none waits.",
      labelNames: ["queue"],
      registers,
    }),
    sourceUp: new client.Gauge({
      name: "portal_metrics_source_up",
      help: "1 when the scrape could read a source of gauges (sync_state, queue), else 0.",
      labelNames: ["source"],
      registers,
    }),
  };
}

const KEY = Symbol.for("portal.ops.metrics");
type Globals = { [KEY]?: PortalMetrics };

/**
 * The process's metrics. Kept on globalThis: Next bundles route handlers, the proxy and instrumentation separately,
 * and each bundle's copy of this module must count into the same registry.
 */
export function metrics(): PortalMetrics {
  const g = globalThis as unknown as Globals;
  g[KEY] ??= create();
  return g[KEY];
}

/** A label value from a fixed vocabulary: anything else (an id, free text) collapses to "other". */
export function labelValue(value: string | null | undefined): string {
  return value && /^[a-z0-9_.-]{1,40}$/i.test(value) ? value : "other";
}

export function statusClass(status: number | null): string {
  if (status === null) return "none";
  if (status === 429) return "429";
  if (status >= 100 && status < 600) return `${Math.floor(status / 100)}xx`;
  return "other";
}

/** One HTTP call to Microsoft (lib/microsoft/api-client.ts). */
export function recordApiCall(api: string, status: number | null): void {
  metrics().apiCalls.inc({ api: labelValue(api), status_class: statusClass(status) });
}

/** One token acquisition (lib/microsoft/token-client.ts). */
export function recordTokenRequest(outcome: string): void {
  metrics().tokenRequests.inc({ outcome: labelValue(outcome) });
}

/**
 * Notification deliveries: lib/notify/deliver.ts calls this once per send attempt, e.g.
 * `recordNotificationDelivery("email", "delivered")`. Channel and outcome come from fixed vocabularies
 * (email, teams, webhook; delivered, retrying, failed): anything else is counted as "other".
 */
export function recordNotificationDelivery(channel: string, outcome: string): void {
  metrics().notificationDeliveries.inc({ channel: labelValue(channel), outcome: labelValue(outcome) });
}

export function recordSyncRun(feed: string, ok: boolean, seconds: number): void {
  const m = metrics();
  m.syncRuns.inc({ feed: labelValue(feed), outcome: ok ? "ok" : "failed" });
  m.syncRunDuration.observe({ feed: labelValue(feed) }, seconds);
}

export function recordWebRequest(r: { route: string; method: string; kind: string; status: number; seconds: number }): void {
  metrics().webRequestDuration.observe(
    { route: r.route, method: labelValue(r.method.toUpperCase()), kind: labelValue(r.kind), status_class: statusClass(r.status) },
    r.seconds,
  );
}

// --- Gauges computed from the database at scrape time ----------------------------------------------------------------

type LagRow = { feed: string; tenants: number; synced: number; failing: number; max_lag: number | null; p95_lag: number | null };
type QueueRow = { queue: string; created: number; retry: number; active: number; oldest: number | null };

async function refreshSyncGauges(prisma: PrismaClient, m: PortalMetrics): Promise<void> {
  // One row per feed: per-tenant lag is folded into max and p95 here, so no series ever names a tenant.
  const rows = await prisma.$queryRaw<LagRow[]>`
    SELECT f.feed,
           count(*)::int AS tenants,
           count(s."lastSuccessAt")::int AS synced,
           count(*) FILTER (WHERE s."lastErrorAt" IS NOT NULL AND (s."lastSuccessAt" IS NULL OR s."lastErrorAt" > s."lastSuccessAt"))::int AS failing,
           max(extract(epoch FROM now() - s."lastSuccessAt"))::float8 AS max_lag,
           (percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM now() - s."lastSuccessAt")))::float8 AS p95_lag
      FROM "Customer" c
     CROSS JOIN (VALUES ('incidents'), ('alerts')) AS f(feed)
      LEFT JOIN "SyncState" s ON s."customerId" = c.id AND s.feed = f.feed
     WHERE c."tenantId" IS NOT NULL AND c.status::text IN ('CONSENTED', 'ERROR')
     GROUP BY f.feed`;
  for (const g of [m.syncLagMax, m.syncLagP95, m.syncTenants, m.syncNeverSucceeded, m.syncFailing]) g.reset();
  for (const feed of ["incidents", "alerts"]) {
    const r = rows.find((x) => x.feed === feed);
    m.syncTenants.set({ feed }, r?.tenants ?? 0);
    m.syncNeverSucceeded.set({ feed }, r ? r.tenants - r.synced : 0);
    m.syncFailing.set({ feed }, r?.failing ?? 0);
    m.syncLagMax.set({ feed }, Math.max(0, r?.max_lag ?? 0));
    m.syncLagP95.set({ feed }, Math.max(0, r?.p95_lag ?? 0));
  }
}

async function refreshQueueGauges(prisma: PrismaClient, m: PortalMetrics): Promise<void> {
  const rows = await prisma.$queryRaw<QueueRow[]>`
    SELECT q.name AS queue,
           count(j.id) FILTER (WHERE j.state = 'created')::int AS created,
           count(j.id) FILTER (WHERE j.state = 'retry')::int AS retry,
           count(j.id) FILTER (WHERE j.state = 'active')::int AS active,
           extract(epoch FROM now() - min(j.start_after) FILTER (WHERE j.state IN ('created', 'retry') AND j.start_after <= now()))::float8 AS oldest
      FROM pgboss.queue q
      LEFT JOIN pgboss.job j ON j.name = q.name AND j.state IN ('created', 'retry', 'active')
     GROUP BY q.name`;
  m.queueJobs.reset();
  m.queueOldestWaiting.reset();
  for (const r of rows) {
    const queue = labelValue(r.queue);
    m.queueJobs.set({ queue, state: "created" }, r.created);
    m.queueJobs.set({ queue, state: "retry" }, r.retry);
    m.queueJobs.set({ queue, state: "active" }, r.active);
    m.queueOldestWaiting.set({ queue }, Math.max(0, r.oldest ?? 0));
  }
}

const SCRAPE_QUERY_TIMEOUT_MS = 5_000;
function bounded<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), SCRAPE_QUERY_TIMEOUT_MS).unref())]);
}

/**
 * The Prometheus text for a scrape: the database gauges are read first (a source that cannot be read reports
 * portal_metrics_source_up 0 and keeps no stale values), then every series of the registry.
 */
export async function metricsText(prisma: PrismaClient | null): Promise<string> {
  const m = metrics();
  if (prisma) {
    const [sync, queue] = await Promise.all([
      bounded(refreshSyncGauges(prisma, m)).then(
        () => true,
        () => false,
      ),
      bounded(refreshQueueGauges(prisma, m)).then(
        () => true,
        () => false,
      ),
    ]);
    m.sourceUp.set({ source: "sync_state" }, sync ? 1 : 0);
    m.sourceUp.set({ source: "queue" }, queue ? 1 : 0);
    if (!sync) for (const g of [m.syncLagMax, m.syncLagP95, m.syncTenants, m.syncNeverSucceeded, m.syncFailing]) g.reset();
    if (!queue) {
      m.queueJobs.reset();
      m.queueOldestWaiting.reset();
    }
  }
  return m.registry.metrics();
}

export const METRICS_CONTENT_TYPE = client.Registry.PROMETHEUS_CONTENT_TYPE;
