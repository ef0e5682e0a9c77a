import { API_QUOTAS, type MicrosoftApi } from "../../../lib/microsoft/hosts.ts";
import type { PrismaClient } from "../../../lib/db/client.ts";
import type { BenchOptions } from "./args.ts";
import { counterDelta, isListEndpoint, isTokenCounter, perTenant, summarize, worstTenants, type PerTenantFigure, type SimCounters } from "./counters.ts";
import { peakRssMiB, spawnNode, type Cleanup, type NodeChild } from "./processes.ts";
import { mapWithConcurrency, sleep } from "./pool.ts";
import { productionNodeArgs } from "../production-command.ts";
import { ownCpuMs, processCpuMs } from "./weight.ts";
import type { BenchEnvironment } from "./setup.ts";

export interface LowerBound {
  seconds: number;
  /** Which limit sets it: total calls spread over the worker's slots, the longest paging chain, or a tenant's quota. */
  limitedBy: "latency ÷ concurrency" | "longest feed" | "quota";
  parallelS: number;
  longestFeedS: number;
  quotaS: number;
}

export interface InitialSyncFigures {
  wallS: number;
  workerStartupS: number;
  workerConcurrency: number;
  /** Worker processes that shared the sync (the lower bound counts all their slots). */
  workers: number;
  apiCalls: number;
  lowerBound: LowerBound;
  ratio: number;
  incidents: number;
  alerts: number;
  incidentsPerS: number;
  peakWorkerRssMiB: number | null;
  /** utime + stime of the worker processes over the sync (garbage collection included). */
  workerCpuS?: number;
  /** The bench process's own CPU over the sync: the simulator (Microsoft) runs in it, on one thread. */
  simulatorCpuS?: number;
  /** The other descendants of the bench process over the sync: the embedded PostgreSQL. */
  postgresCpuS?: number;
  failures: Record<string, number>;
}

export interface IncrementalFigures {
  wallS: number;
  /** API calls per (tenant, feed) as the worker recorded them (SyncState.apiCalls). */
  callsPerTenantFeed: PerTenantFigure;
  /** List calls per (tenant, endpoint) as the simulator counted them. */
  simCallsPerTenantEndpoint: PerTenantFigure;
  rowsWritten: number;
  tenantsWithWrites: number;
  failures: Record<string, number>;
}

export interface TokenFigures {
  /** Token requests per (tenant, resource) over both syncs. */
  perTenantResource: PerTenantFigure;
  totalRequests: number;
  worst: { tenantId: string; counter: string; hits: number }[];
}

export interface SyncFigures {
  initial: InitialSyncFigures;
  incremental: IncrementalFigures;
  tokens: TokenFigures;
  peakWorkerRssMiB: number | null;
  /** Simulator counters of each phase, kept in the JSON for investigation. */
  counters: { initial: SimCounters; incremental: SimCounters };
}

type SyncRow = {
  customerId: string;
  feed: string;
  apiCalls: number;
  rowsChanged: number;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastErrorCode: string | null;
};

/**
 * The sync worker as production runs it (`npm run worker:prod`: dist/worker.mjs, scripts/worker.ts bundled by
 * `npm run build:worker`, with node alone and its V8 flags), each its own process so its memory can be read. `BENCH_WORKER_TSX=1` runs the TypeScript source through
 * tsx instead (what the bench did before issue #12 §2), to compare.
 */
export async function startWorkers(
  env: BenchEnvironment,
  count: number,
  cleanup: Cleanup,
  extraEnv: Record<string, string> = {},
): Promise<{ workers: NodeChild[]; concurrency: number }> {
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  // BENCH_WORKER_NODE_ARGS go after the production flags (before the script), so they can also turn one off.
  const production = process.env.BENCH_WORKER_TSX === "1" ? ["--import", "tsx", "scripts/worker.ts"] : productionNodeArgs("worker:prod");
  const args = [...production.slice(0, -1), ...nodeArgs, production.at(-1)!];
  const workers = Array.from({ length: count }, (_, i) =>
    spawnNode(cleanup, count === 1 ? "worker" : `worker ${i + 1}`, args, { ...env.portalEnv, ...extraEnv }),
  );
  // The worker logs JSON lines: {"concurrency":4,…,"msg":"sync worker started",…}
  const ready = await Promise.all(workers.map((w) => w.waitForLine(/"concurrency":(\d+),[^\n]*"msg":"sync worker started"/, 60_000)));
  return { workers, concurrency: Number(ready[0]![1]) };
}

/** VmHWM of each worker: the largest, or null when one could not be read. */
function peakOf(workers: NodeChild[]): number | null {
  const peaks = workers.map((w) => peakRssMiB(w.pid));
  return peaks.some((p) => p === null) ? null : Math.max(...(peaks as number[]));
}

/**
 * Every customer's incidents and alerts from scratch, by `workerCount` worker processes on one database; completion is
 * read from the database (every feed succeeded or failed since the phase began). The workers are left running.
 */
async function initialSync(env: BenchEnvironment, opts: BenchOptions, workerCount: number, cleanup: Cleanup, log: (line: string) => void) {
  const { prisma } = env;
  await env.control.resetRequests();
  const spawnedAt = Date.now();
  const { workers, concurrency } = await startWorkers(env, workerCount, cleanup);
  const startedAt = Date.now();
  log(
    `${workerCount === 1 ? `Worker ${workers[0]!.pid}` : `${workerCount} workers`} up (${concurrency} concurrent each); initial sync of ${env.customers.length} tenants…`,
  );
  // Who spends the machine's CPU over the sync: the workers, this process (the simulator lives in it), and the rest of
  // this process's descendants (PostgreSQL).
  const cpuBefore = workers.map((w) => processCpuMs(w.pid) ?? 0);
  const benchBefore = ownCpuMs(process.pid) ?? 0;
  const treeBefore = processCpuMs(process.pid) ?? 0;
  const done = await waitForFeeds(prisma, new Date(spawnedAt), env.customers.length * 2, log);
  const wallS = (done - startedAt) / 1000;
  const workerCpuS = workers.reduce((n, w, i) => n + ((processCpuMs(w.pid) ?? NaN) - cpuBefore[i]!) / 1000, 0);
  const simulatorCpuS = ((ownCpuMs(process.pid) ?? NaN) - benchBefore) / 1000;
  const postgresCpuS = ((processCpuMs(process.pid) ?? NaN) - treeBefore) / 1000 - simulatorCpuS - workerCpuS;
  const rows = await syncRows(prisma);
  const [incidents, alerts] = await Promise.all([prisma.incident.count(), prisma.alert.count()]);
  log(`Initial sync (${workerCount} worker${workerCount === 1 ? "" : "s"}): ${wallS.toFixed(1)} s, ${incidents} incidents, ${alerts} alerts`);
  const lowerBound = syncLowerBound(rows, opts, concurrency * workerCount);
  const figures: InitialSyncFigures = {
    wallS,
    workerStartupS: (startedAt - spawnedAt) / 1000,
    workerConcurrency: concurrency,
    workers: workerCount,
    apiCalls: rows.reduce((n, r) => n + r.apiCalls, 0),
    lowerBound,
    ratio: wallS / lowerBound.seconds,
    incidents,
    alerts,
    incidentsPerS: incidents / wallS,
    peakWorkerRssMiB: peakOf(workers),
    workerCpuS,
    simulatorCpuS,
    postgresCpuS,
    failures: failuresSince(rows, new Date(spawnedAt)),
  };
  return { figures, workers, rows };
}

/**
 * The real sync worker (or `workerCount` of them) syncs every tenant from scratch, then once more with nothing changed.
 */
export async function measureSync(
  env: BenchEnvironment,
  opts: BenchOptions,
  cleanup: Cleanup,
  log: (line: string) => void,
  workerCount = 1,
): Promise<SyncFigures> {
  const { prisma, control } = env;
  const expectedFeeds = env.customers.length * 2;
  const { figures: initial, workers } = await initialSync(env, opts, workerCount, cleanup, log);
  const afterInitial = await control.requests();

  // "Nothing changed": every feed falls due now, as when the sync interval has passed.
  const incrementalStart = new Date();
  await prisma.syncState.updateMany({ data: { nextRunAt: incrementalStart } });
  const incrementalDone = await waitForFeeds(prisma, incrementalStart, expectedFeeds, log);
  const afterIncremental = await control.requests();
  const incrementalRows = await syncRows(prisma);
  const peak = peakOf(workers);
  await Promise.all(workers.map((w) => w.stop()));
  log(`Incremental sync: ${((incrementalDone - incrementalStart.getTime()) / 1000).toFixed(1)} s`);

  const tenantIds = env.customers.map((c) => c.tenantId);
  const incrementalCounters = counterDelta(afterIncremental, afterInitial);
  return {
    initial,
    incremental: {
      wallS: (incrementalDone - incrementalStart.getTime()) / 1000,
      callsPerTenantFeed: summarize(
        incrementalRows.map((r) => r.apiCalls),
        1,
      ),
      simCallsPerTenantEndpoint: perTenant(incrementalCounters, tenantIds, isListEndpoint, 1),
      rowsWritten: incrementalRows.reduce((n, r) => n + r.rowsChanged, 0),
      tenantsWithWrites: new Set(incrementalRows.filter((r) => r.rowsChanged > 0).map((r) => r.customerId)).size,
      failures: failuresSince(incrementalRows, incrementalStart),
    },
    tokens: {
      perTenantResource: perTenantRequested(afterIncremental, tenantIds),
      totalRequests: Object.entries(afterIncremental)
        .filter(([n]) => isTokenCounter(n))
        .reduce((n, [, byTenant]) => n + Object.values(byTenant).reduce((a, b) => a + b, 0), 0),
      worst: worstTenants(afterIncremental, isTokenCounter, 1),
    },
    peakWorkerRssMiB: peak ?? initial.peakWorkerRssMiB,
    counters: { initial: afterInitial, incremental: incrementalCounters },
  };
}

export interface ScaleOutFigures {
  workers: number;
  /** The same initial sync by one worker (the sync phase) and by `workers` workers, each from an empty store. */
  one: InitialSyncFigures;
  many: InitialSyncFigures;
  /** many.wallS ÷ one.wallS: 0.5 would be perfect scaling with two workers; the target is ≤ 0.6. */
  timeRatio: number;
}

/**
 * Issue #12 §3: the latency-bound initial sync again, from an empty store and fresh quotas, by `opts.workers` worker
 * processes on the same database, compared with one worker's run of the same data.
 */
export async function measureScaleOut(
  env: BenchEnvironment,
  opts: BenchOptions,
  one: InitialSyncFigures,
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<ScaleOutFigures> {
  await resetSyncedData(env);
  const { figures: many, workers } = await initialSync(env, opts, opts.workers, cleanup, log);
  await Promise.all(workers.map((w) => w.stop()));
  return { workers: opts.workers, one, many, timeRatio: many.wallS / one.wallS };
}

/**
 * Back to before the first sync: no incidents, alerts or sync state, no spent budgets (ours and the simulator's), so a
 * second initial sync does the same work under the same limits as the first.
 */
export async function resetSyncedData(env: BenchEnvironment): Promise<void> {
  await env.prisma.$executeRawUnsafe(`TRUNCATE "Incident", "Alert", "SyncState", "ApiBudget", "NotificationEvent" CASCADE`);
  await mapWithConcurrency(env.customers, 16, (c) => env.control.resetQuotas(c.tenantId));
}

/** Token requests per (tenant, resource) pair the worker asked for at least once. */
function perTenantRequested(counters: SimCounters, tenantIds: readonly string[]): PerTenantFigure {
  const ours = new Set(tenantIds);
  const values: number[] = [];
  for (const [name, byTenant] of Object.entries(counters)) {
    if (!isTokenCounter(name)) continue;
    for (const [tenant, hits] of Object.entries(byTenant)) if (ours.has(tenant)) values.push(hits);
  }
  return summarize(values, 1);
}

/** Polls until `expected` feeds have succeeded or failed since `since`; gives up after 5 minutes without progress. */
async function waitForFeeds(prisma: PrismaClient, since: Date, expected: number, log: (line: string) => void): Promise<number> {
  let lastProgress = Date.now();
  let lastCount = -1;
  let lastLog = Date.now();
  for (;;) {
    const [succeeded, failed] = await Promise.all([
      prisma.syncState.count({ where: { lastSuccessAt: { gte: since } } }),
      prisma.syncState.count({ where: { running: false, lastErrorAt: { gte: since }, OR: [{ lastSuccessAt: null }, { lastSuccessAt: { lt: since } }] } }),
    ]);
    const now = Date.now();
    if (succeeded + failed >= expected) {
      if (failed > 0) log(`${failed} feed(s) failed (see failures in the report)`);
      return now;
    }
    if (succeeded + failed !== lastCount) {
      lastCount = succeeded + failed;
      lastProgress = now;
    }
    if (now - lastProgress > 300_000) throw new Error(`sync stalled at ${succeeded} succeeded + ${failed} failed of ${expected} feeds for 5 minutes`);
    if (now - lastLog > 15_000) {
      log(`  … ${succeeded}/${expected} feeds synced`);
      lastLog = now;
    }
    await sleep(250);
  }
}

async function syncRows(prisma: PrismaClient): Promise<SyncRow[]> {
  return prisma.syncState.findMany({
    select: { customerId: true, feed: true, apiCalls: true, rowsChanged: true, lastSuccessAt: true, lastErrorAt: true, lastErrorCode: true },
  });
}

function failuresSince(rows: SyncRow[], since: Date): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    const failed = r.lastErrorAt && r.lastErrorAt >= since && !(r.lastSuccessAt && r.lastSuccessAt >= since);
    if (failed) out[r.lastErrorCode ?? "unknown"] = (out[r.lastErrorCode ?? "unknown"] ?? 0) + 1;
  }
  return out;
}

/** Which API each feed reads, per data source. */
function feedApi(source: BenchOptions["source"], feed: string): MicrosoftApi {
  if (source === "graph") return "graph";
  return feed === "incidents" ? "xdr" : "mde";
}

/**
 * The fastest the initial sync could be: every call made costs the simulated latency, the worker runs `concurrency`
 * of them at once, a feed's pages come one after another, and no tenant may exceed its documented quota.
 */
export function syncLowerBound(rows: SyncRow[], opts: BenchOptions, concurrency: number): LowerBound {
  const latencyS = opts.latencyMs / 1000;
  const totalCalls = rows.reduce((n, r) => n + r.apiCalls, 0);
  const parallelS = (totalCalls * latencyS) / concurrency;
  const longestFeedS = Math.max(0, ...rows.map((r) => r.apiCalls)) * latencyS;
  const callsPerTenantApi = new Map<string, { api: MicrosoftApi; calls: number }>();
  for (const r of rows) {
    const api = feedApi(opts.source, r.feed);
    const key = `${r.customerId}|${api}`;
    const entry = callsPerTenantApi.get(key) ?? { api, calls: 0 };
    entry.calls += r.apiCalls;
    callsPerTenantApi.set(key, entry);
  }
  let quotaS = 0;
  for (const { api, calls } of callsPerTenantApi.values()) {
    const q = API_QUOTAS[api];
    // n calls under "k per window" need at least ceil(n/k) - 1 full windows between the first and the last.
    const minuteS = (Math.ceil(calls / q.perMinute) - 1) * 60;
    const hourS = q.perHour ? (Math.ceil(calls / q.perHour) - 1) * 3600 : 0;
    quotaS = Math.max(quotaS, minuteS, hourS);
  }
  const seconds = Math.max(parallelS, longestFeedS, quotaS);
  const limitedBy = seconds === parallelS ? "latency ÷ concurrency" : seconds === longestFeedS ? "longest feed" : "quota";
  return { seconds, limitedBy, parallelS, longestFeedS, quotaS };
}
