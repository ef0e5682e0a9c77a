import PgBoss from "pg-boss";
import { serverConfig } from "../config/env.ts";
import { createPrismaClient, type PrismaClient } from "../db/client.ts";
import { MicrosoftApiClient } from "../microsoft/api-client.ts";
import { TenantTokenClient } from "../microsoft/token-client.ts";
import { PostgresRateLimiter, pruneApiBudgets } from "../microsoft/shared-limiter.ts";
import { purgeExpiredRecords } from "../data/retention.ts";
import type { Feed } from "./model.ts";
import { qualifiedRole } from "../config/permissions.ts";
import { DEFAULT_LEASE_MS, runFeedSync, type SyncDeps } from "./run.ts";
import { BULK_QUEUE, createBulkQueue, enqueueBulkJobs } from "../bulk/queue.ts";
import { runBulkJob } from "../bulk/run.ts";
import { huntConfig } from "../config/hunting.ts";
import { createHuntQueue, enqueueHuntRuns, HUNT_QUEUE } from "../hunting/queue.ts";
import { runHunt } from "../hunting/run.ts";
import { startNotificationJobs } from "../notify/worker.ts";
import { log as processLog, textLogger, type Logger } from "../ops/log.ts";
import { recordSyncRun } from "../ops/metrics.ts";
import { startSlaJobs } from "./sla-jobs.ts";
import { startReportMailJobs } from "../reports/monthly-mail.ts";
import { Semaphore } from "../shared/pool.ts";

/**
 * The sync queue on PostgreSQL (pg-boss). Any number of worker processes share it: each polls for due
 * (customer, feed) pairs and enqueues them with a singleton key, so a pair is queued or running at most once across
 * all processes; each process has up to `concurrency` calls at Microsoft at once (twice as many runs, so storing one
 * run's rows never leaves a call slot idle).
 */
export const SYNC_QUEUE = "sync-feed";
/** The daily retention purge (lib/data/retention.ts): a pg-boss cron schedule, so one worker runs it per day. */
export const RETENTION_QUEUE = "retention-purge";
export const RETENTION_CRON = "17 3 * * *";
const FEEDS: Feed[] = ["incidents", "alerts"];
/** Sync runs per call slot: while some runs store a batch, the others keep SYNC_CONCURRENCY calls at Microsoft. */
const RUNS_PER_CALL_SLOT = 2;

interface SyncJob {
  customerId: string;
  feed: Feed;
  full?: boolean;
}

export interface SyncWorker {
  /**
   * Graceful stop: no new jobs are taken and the scheduler stops enqueuing; running jobs get `timeoutMs` (default
   * SHUTDOWN_TIMEOUT_SECONDS) to finish. A sync run still going after that is handed back: its queue job is failed
   * (pg-boss retries it) and its SyncState row is released (not running, due now), so another worker takes it at
   * once instead of waiting out the lease.
   */
  stop(opts?: { timeoutMs?: number }): Promise<{ unfinished: number }>;
  /** Enqueues every due feed now (the scheduler does this every few seconds). */
  enqueueDue(): Promise<number>;
}

export async function startSyncWorker(opts: {
  databaseUrl: string;
  concurrency?: number;
  schedulerIntervalMs?: number;
  /** Plain text lines (the `npm start` console); structured JSON lines through `logger` otherwise. */
  log?: (line: string) => void;
  logger?: Logger;
}): Promise<SyncWorker> {
  const cfg = serverConfig();
  const logger = opts.logger ?? (opts.log ? textLogger(opts.log) : processLog);
  const log = (line: string) => logger.info(line);
  const prisma = createPrismaClient(opts.databaseUrl);
  const tokens = new TenantTokenClient({ authorityHost: cfg.authorityHost, clientId: cfg.clientId, credential: cfg.credential });
  // Per-tenant budgets in PostgreSQL: every worker process (and the web process) spends a tenant's quota once, so
  // two workers syncing its incidents and alerts, or a hunt beside a sync, stay under Microsoft's limits together.
  const limiter = new PostgresRateLimiter(prisma);
  // Bulk triage and hunting use this client; the sync's own adds its call slots.
  const api = new MicrosoftApiClient({ tokens, baseUrl: cfg.apiBaseUrl, maxResponseBytes: cfg.microsoftMaxResponseBytes, limiter });
  const concurrency = opts.concurrency ?? cfg.syncConcurrency;
  const deps: SyncDeps = {
    prisma,
    tokens,
    // SYNC_CONCURRENCY is how many calls this process's syncs have at Microsoft at once: Microsoft's latency is the
    // sync's limit, so that pipe stays full while other runs store what they fetched (twice as many runs as slots).
    api: new MicrosoftApiClient({ ...api.options, callSlots: new Semaphore(concurrency) }),
    requiredRoles: cfg.requiredPermissions.map((p) => qualifiedRole(p.resource, p.permission)),
    source: cfg.dataSource,
    intervalMinutes: cfg.syncIntervalMinutes,
    leaseMs: cfg.syncLeaseSeconds * 1000,
  };
  // Scheduling on: pg-boss's cron (one due job across every worker, under its own lock) runs the retention purge.
  const boss = new PgBoss({ connectionString: opts.databaseUrl, max: 4, schedule: true });
  boss.on("error", (err) => logger.error("queue error", { err }));
  await boss.start();
  // "stately": at most one queued and one active job per singleton key (customer × feed).
  // Expiry is only a backstop: the scheduler recovers a dead worker's runs by their heartbeat long before.
  await boss.createQueue(SYNC_QUEUE, { name: SYNC_QUEUE, policy: "stately", retryLimit: 2, retryDelay: 30, expireInSeconds: 30 * 60 });
  // Sync runs in progress in this process (job id → feed), released on a stop that outlasts them.
  const running = new Map<string, SyncJob>();
  for (let i = 0; i < concurrency * RUNS_PER_CALL_SLOT; i++) {
    let slotId = "";
    slotId = await boss.work<SyncJob>(SYNC_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
      if (!job) return;
      const started = performance.now();
      running.set(job.id, job.data);
      try {
        const r = await runFeedSync(deps, job.data.customerId, job.data.feed, { full: job.data.full, jobId: job.id });
        recordSyncRun(job.data.feed, r.ok, (performance.now() - started) / 1000);
        if (r.ok) logger.debug("sync run finished", { feed: job.data.feed, customerId: job.data.customerId, rowsChanged: r.rowsChanged, apiCalls: r.apiCalls });
        else logger.warn("sync run failed", { feed: job.data.feed, customerId: job.data.customerId, errorCode: r.error?.code ?? null });
      } finally {
        running.delete(job.id);
        // pg-boss waits out the polling interval after every job; a slot that just finished looks for the next one
        // at once, so a backlog drains at the speed of Microsoft, not one job per slot per second.
        boss.notifyWorker(slotId);
      }
    });
  }
  await boss.createQueue(RETENTION_QUEUE, { name: RETENTION_QUEUE, policy: "singleton", retryLimit: 3, retryDelay: 600, expireInSeconds: 60 * 60 });
  await boss.schedule(RETENTION_QUEUE, RETENTION_CRON, {}, { tz: "UTC" });
  await boss.work(RETENTION_QUEUE, { batchSize: 1, pollingIntervalSeconds: 60 }, async () => {
    const r = await purgeExpiredRecords(prisma, { retentionDays: cfg.retentionDays });
    // API budgets of tenants without a call for two hours (the limiters also prune now and then on their own).
    const apiBudgets = await pruneApiBudgets(prisma);
    logger.info("retention purge", {
      apiBudgets,
      consentEvents: r.consentEvents,
      auditEntries: r.auditEntries,
      huntResultRows: r.huntResultRows,
      cutoff: r.cutoff,
      retentionDays: cfg.retentionDays,
    });
  });
  // Bulk triage jobs (lib/bulk/): one run per job at a time; its items share the per-tenant limiter with the sync.
  await createBulkQueue(boss);
  await boss.work<{ jobId: string }>(BULK_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (job) await runBulkJob({ prisma, api, log }, job.data.jobId, { queueJobId: job.id });
  });
  // Advanced hunting runs (lib/hunting/): two runs at a time per worker, each fanned out over its customers. Its own
  // client over the same limiter: a query is retried once at most, and a long Retry-After is reported, not waited out.
  await createHuntQueue(boss);
  const hunting = huntConfig();
  const huntApi = new MicrosoftApiClient({ ...api.options, maxAttempts: 2, maxRetryAfterMs: hunting.maxRetryAfterMs });
  for (let i = 0; i < 2; i++) {
    await boss.work<{ jobId: string }>(HUNT_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
      if (!job) return;
      logger.info("hunt run started", { runId: job.data.jobId });
      await runHunt({ prisma, api: huntApi, cfg: hunting, log }, job.data.jobId, { queueJobId: job.id });
    });
  }
  // Notifications (issue 10 §2): outbox dispatch and deliveries on the same queue database.
  const notifications = await startNotificationJobs(boss, prisma, { log });
  await startSlaJobs(boss, prisma, log);
  await startReportMailJobs(boss, prisma, log);
  const enqueueDue = () => enqueueDueFeeds(prisma, boss, deps.leaseMs);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let ticking: Promise<void> | null = null;
  const tick = async () => {
    try {
      const started = performance.now();
      const sent = await enqueueDue();
      if (sent > 0) logger.debug("scheduler sent sync jobs", { sent, ms: Math.round(performance.now() - started) });
      await enqueueBulkJobs(prisma, boss);
      await enqueueHuntRuns(prisma, boss);
    } catch (err) {
      logger.error("scheduler failed", { err });
    }
  };
  const loop = () => {
    ticking = tick().finally(() => {
      ticking = null;
      if (!stopped) timer = setTimeout(loop, opts.schedulerIntervalMs ?? 5_000);
    });
  };
  loop();
  logger.info("sync worker started", { concurrency, intervalMinutes: cfg.syncIntervalMinutes, source: cfg.dataSource });
  return {
    enqueueDue,
    async stop(stopOpts = {}) {
      stopped = true;
      if (timer) clearTimeout(timer);
      notifications.stop();
      // A scheduler pass in progress finishes first: it must not enqueue into a stopping queue half-way.
      await ticking;
      const timeout = stopOpts.timeoutMs ?? cfg.shutdownTimeoutMs;
      await boss.stop({ graceful: true, wait: true, timeout }).catch((err: unknown) => logger.error("queue stop failed", { err }));
      const unfinished = [...running.entries()];
      for (const [jobId, job] of unfinished) {
        // Still running after the grace period: give the feed back (its cursor moves only with its last batch, so the
        // next run fetches the same window again; batches it already stored are upserted again, never doubled).
        await prisma.syncState
          .updateMany({
            where: { customerId: job.customerId, feed: job.feed, running: true, jobId },
            data: { running: false, jobId: null, progress: null, nextRunAt: new Date() },
          })
          .catch((err: unknown) => logger.error("could not release an unfinished sync run", { err, feed: job.feed, customerId: job.customerId }));
      }
      if (unfinished.length) logger.warn("stopped with unfinished sync runs; released for another worker", { unfinished: unfinished.length });
      await prisma.$disconnect();
      return { unfinished: unfinished.length };
    },
  };
}

/** How long a queued job may wait before the scheduler asks pg-boss whether it is still alive. */
const QUEUED_RECHECK_MS = 2 * 60_000;

type FeedState = { feed: string; nextRunAt: Date | null; running: boolean; heartbeatAt: Date | null; jobId: string | null };

/**
 * What the scheduler does with a feed now: send a new job, or look again at `recheckAt`. A run whose heartbeat
 * stopped, or a job a worker took but never started (killed in between), belonged to a dead worker: its job is
 * cancelled so a new one can take its place (the queue allows one active job per feed).
 */
type Decision = { send: true } | { send: false; recheckAt: number | null };

async function decide(boss: PgBoss, prisma: PrismaClient, customerId: string, s: FeedState | undefined, now: number, leaseMs: number): Promise<Decision> {
  if (!s) return { send: true };
  if (s.running) {
    if (s.heartbeatAt && now - s.heartbeatAt.getTime() < leaseMs) return { send: false, recheckAt: null };
    await abandon(boss, prisma, customerId, s, "The worker running this sync stopped (killed or cut off from the database); it was restarted.");
    return { send: true };
  }
  if (s.nextRunAt && s.nextRunAt.getTime() > now) return { send: false, recheckAt: null };
  if (s.jobId) {
    const job = await boss.getJobById(SYNC_QUEUE, s.jobId).catch(() => null);
    // Still waiting its turn in a backlog: look again in a while rather than on every tick.
    if (job && (job.state === "created" || job.state === "retry")) return { send: false, recheckAt: now + QUEUED_RECHECK_MS };
    if (job?.state === "active") {
      const startedAgo = now - new Date(job.startedOn).getTime();
      // Just taken by a worker, about to start: if it has not started within a lease, its worker is gone.
      if (startedAgo < leaseMs) return { send: false, recheckAt: now + leaseMs - startedAgo };
      await abandon(boss, prisma, customerId, s, "The worker that took this sync stopped before starting it; it was restarted.");
    }
  }
  return { send: true };
}

async function abandon(boss: PgBoss, prisma: PrismaClient, customerId: string, s: FeedState, reason: string) {
  if (s.jobId) await boss.cancel(SYNC_QUEUE, s.jobId).catch(() => {});
  await prisma.syncState.update({
    where: { customerId_feed: { customerId, feed: s.feed } },
    data: { running: false, jobId: null, progress: null, lastErrorAt: new Date(), lastError: reason, lastErrorCode: "worker_lost" },
  });
}

/** Feeds of syncable customers whose next run is due (or never ran, or lost its worker), enqueued once each. */
export async function enqueueDueFeeds(prisma: PrismaClient, boss: PgBoss, leaseMs = DEFAULT_LEASE_MS): Promise<number> {
  const now = Date.now();
  const customers = await prisma.customer.findMany({
    where: { tenantId: { not: null }, status: { in: ["CONSENTED", "ERROR"] } },
    select: { id: true, syncStates: { select: { feed: true, nextRunAt: true, running: true, heartbeatAt: true, jobId: true } } },
  });
  let sent = 0;
  for (const c of customers) {
    for (const feed of FEEDS) {
      const s = c.syncStates.find((x) => x.feed === feed);
      const decision = await decide(boss, prisma, c.id, s, now, leaseMs);
      if (!decision.send) {
        if (decision.recheckAt)
          await prisma.syncState.update({ where: { customerId_feed: { customerId: c.id, feed } }, data: { nextRunAt: new Date(decision.recheckAt) } });
        continue;
      }
      const id = await boss.send(SYNC_QUEUE, { customerId: c.id, feed }, { singletonKey: `${c.id}:${feed}` });
      if (id) sent += 1;
      await prisma.syncState.upsert({
        where: { customerId_feed: { customerId: c.id, feed } },
        create: { customerId: c.id, feed, source: "pending", nextRunAt: new Date(now + QUEUED_RECHECK_MS), jobId: id, progress: "Queued" },
        update: { nextRunAt: new Date(now + QUEUED_RECHECK_MS), ...(id ? { jobId: id } : {}), progress: "Queued" },
      });
    }
  }
  return sent;
}

const DATABASE_DOWN =
  /ECONNREFUSED|ECONNRESET|EPIPE|Connection terminated|terminating connection|database system is (starting up|shutting down)|Client has encountered a connection error/i;

/**
 * pg-boss 10 completes and fails jobs without awaiting them, so a database restart surfaces as an unhandled
 * rejection, which ends a Node process. A worker should outlive its database's restarts: those are logged and
 * the leases recover the runs; anything else still ends the process.
 */
export function surviveDatabaseRestarts(log: (line: string) => void = (l) => processLog.warn(l)): void {
  process.on("unhandledRejection", (reason) => {
    const message = reason instanceof Error ? reason.message : String(reason);
    if (DATABASE_DOWN.test(message)) {
      log(`database unavailable, carrying on: ${message.slice(0, 200)}`);
      return;
    }
    throw reason;
  });
}
