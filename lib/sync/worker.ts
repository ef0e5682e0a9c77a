import PgBoss from "pg-boss";
import { serverConfig } from "../config/env.ts";
import { createPrismaClient, type PrismaClient } from "../db/client.ts";
import { MicrosoftApiClient } from "../microsoft/api-client.ts";
import { TenantTokenClient } from "../microsoft/token-client.ts";
import type { Feed } from "./model.ts";
import { runFeedSync, STALE_RUN_MS, type SyncDeps } from "./run.ts";

/**
 * The sync queue on PostgreSQL (pg-boss). Any number of worker processes share it: each polls for due
 * (customer, feed) pairs and enqueues them with a singleton key, so a pair is queued or running at most once across
 * all processes; each process runs up to `concurrency` syncs at a time.
 */
export const SYNC_QUEUE = "sync-feed";
const FEEDS: Feed[] = ["incidents", "alerts"];

interface SyncJob {
  customerId: string;
  feed: Feed;
  full?: boolean;
}

export interface SyncWorker {
  stop(): Promise<void>;
  /** Enqueues every due feed now (the scheduler does this every few seconds). */
  enqueueDue(): Promise<number>;
}

export async function startSyncWorker(opts: {
  databaseUrl: string;
  concurrency?: number;
  schedulerIntervalMs?: number;
  log?: (line: string) => void;
}): Promise<SyncWorker> {
  const cfg = serverConfig();
  const log = opts.log ?? (() => {});
  const prisma = createPrismaClient(opts.databaseUrl);
  const tokens = new TenantTokenClient({ authorityHost: cfg.authorityHost, clientId: cfg.clientId, credential: cfg.credential });
  const deps: SyncDeps = {
    prisma,
    tokens,
    api: new MicrosoftApiClient({ tokens, baseUrl: cfg.apiBaseUrl }),
    source: cfg.dataSource,
    intervalMinutes: cfg.syncIntervalMinutes,
  };
  const boss = new PgBoss({ connectionString: opts.databaseUrl, max: 4, schedule: false });
  boss.on("error", (err) => log(`queue error: ${(err as Error).message}`));
  await boss.start();
  // "stately": at most one queued and one active job per singleton key (customer × feed).
  await boss.createQueue(SYNC_QUEUE, { name: SYNC_QUEUE, policy: "stately", retryLimit: 2, retryDelay: 30, expireInSeconds: STALE_RUN_MS / 1000 });
  const concurrency = opts.concurrency ?? cfg.syncConcurrency;
  for (let i = 0; i < concurrency; i++) {
    let slotId = "";
    slotId = await boss.work<SyncJob>(SYNC_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
      if (!job) return;
      try {
        const r = await runFeedSync(deps, job.data.customerId, job.data.feed, { full: job.data.full });
        if (!r.ok) log(`sync ${job.data.feed} for ${job.data.customerId}: ${r.error?.code}`);
      } finally {
        // pg-boss waits out the polling interval after every job; a slot that just finished looks for the next one
        // at once, so a backlog drains at the speed of Microsoft, not one job per slot per second.
        boss.notifyWorker(slotId);
      }
    });
  }
  const enqueueDue = () => enqueueDueFeeds(prisma, boss);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const tick = async () => {
    try {
      await enqueueDue();
    } catch (err) {
      log(`scheduler: ${(err as Error).message}`);
    }
    if (!stopped) timer = setTimeout(tick, opts.schedulerIntervalMs ?? 5_000);
  };
  void tick();
  log(`sync worker: ${concurrency} concurrent, every ${cfg.syncIntervalMinutes} min per tenant, source ${cfg.dataSource}`);
  return {
    enqueueDue,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await boss.stop({ graceful: true, timeout: 10_000 }).catch(() => {});
      await prisma.$disconnect();
    },
  };
}

/** Feeds of syncable customers whose next run is due (or never ran), enqueued once each. */
export async function enqueueDueFeeds(prisma: PrismaClient, boss: PgBoss): Promise<number> {
  const now = new Date();
  const customers = await prisma.customer.findMany({
    where: { tenantId: { not: null }, status: { in: ["CONSENTED", "ERROR"] } },
    select: { id: true, syncStates: { select: { feed: true, nextRunAt: true, running: true, runStartedAt: true } } },
  });
  let sent = 0;
  for (const c of customers) {
    for (const feed of FEEDS) {
      const s = c.syncStates.find((x) => x.feed === feed);
      const stale = s?.running && s.runStartedAt && now.getTime() - s.runStartedAt.getTime() > STALE_RUN_MS;
      if (s?.running && !stale) continue;
      if (s?.nextRunAt && s.nextRunAt > now && !stale) continue;
      const id = await boss.send(SYNC_QUEUE, { customerId: c.id, feed }, { singletonKey: `${c.id}:${feed}` });
      if (id) sent += 1;
      // Not due again until it has run (or the job was lost: then after the stale window).
      const later = new Date(now.getTime() + STALE_RUN_MS);
      await prisma.syncState.upsert({
        where: { customerId_feed: { customerId: c.id, feed } },
        create: { customerId: c.id, feed, source: "pending", nextRunAt: later, progress: "Queued" },
        update: { nextRunAt: later, progress: s?.running ? undefined : "Queued" },
      });
    }
  }
  return sent;
}
