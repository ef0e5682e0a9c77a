import type PgBoss from "pg-boss";
import { notifyConfig, type NotifyConfig } from "../config/notify.ts";
import type { PrismaClient } from "../db/client.ts";
import { deliverDue, type DeliverDeps } from "./deliver.ts";
import { dispatchPending } from "./dispatch.ts";
import { scanConditions } from "./scan.ts";

/**
 * Notifications on the sync worker's pg-boss: a "notify-cycle" job (scan → dispatch → deliver) sent every
 * `tickMs`. The queue's "short" policy keeps at most one queued (a busy worker does not pile up ticks) while jobs
 * may run in several workers at once: the outbox and the deliveries are shared with SKIP LOCKED and leases, so that is
 * safe, and a SIGKILLed worker's active job blocks nothing.
 */
export const NOTIFY_QUEUE = "notify-cycle";

export async function runNotificationCycle(prisma: PrismaClient, deps: DeliverDeps): Promise<{ scanned: number; dispatched: number; delivered: number }> {
  const scanned = await scanConditions(prisma, deps.now?.());
  let dispatched = 0;
  for (;;) {
    const r = await dispatchPending(prisma, { now: deps.now?.() });
    dispatched += r.events;
    if (r.events < 200) break;
  }
  let delivered = 0;
  for (;;) {
    const r = await deliverDue(prisma, deps);
    delivered += r.delivered;
    if (r.claimed < 50) break;
  }
  return { scanned, dispatched, delivered };
}

export async function startNotificationJobs(
  boss: PgBoss,
  prisma: PrismaClient,
  opts: { log?: (line: string) => void; tickMs?: number; config?: NotifyConfig } = {},
): Promise<{ stop(): void }> {
  const log = opts.log ?? (() => {});
  const config = opts.config ?? notifyConfig();
  await boss.createQueue(NOTIFY_QUEUE, { name: NOTIFY_QUEUE, policy: "short", retryLimit: 0, expireInSeconds: 15 * 60 });
  await boss.work(NOTIFY_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async () => {
    await runNotificationCycle(prisma, { config, log });
  });
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const tick = async () => {
    try {
      await boss.send(NOTIFY_QUEUE, {});
    } catch (err) {
      log(`notifications: ${(err as Error).message}`);
    }
    if (!stopped) timer = setTimeout(tick, opts.tickMs ?? 2_000);
  };
  void tick();
  log(`notifications: dispatch and delivery every ${(opts.tickMs ?? 2_000) / 1000} s, up to ${config.maxAttempts} attempts`);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
