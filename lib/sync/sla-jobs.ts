import type PgBoss from "pg-boss";
import type { PrismaClient } from "../db/client.ts";
import { recomputeStaleCustomers, scanSlaNotifications } from "../sla/clocks.ts";

/**
 * The SLA job: every minute (a pg-boss cron schedule, so one worker runs it per minute however many there are) it
 * recomputes the deadlines of customers whose policy or group membership changed, then writes "sla.breaching" and
 * "sla.breached" events to the notifications outbox (idempotent: one per clock and incident).
 */
export const SLA_QUEUE = "sla-tick";
export const SLA_CRON = "* * * * *";

export async function runSlaTick(prisma: PrismaClient, now = new Date()) {
  const recomputed = await recomputeStaleCustomers(prisma);
  const events = await scanSlaNotifications(prisma, now);
  return { ...recomputed, events };
}

export async function startSlaJobs(boss: PgBoss, prisma: PrismaClient, log: (line: string) => void): Promise<void> {
  await boss.createQueue(SLA_QUEUE, { name: SLA_QUEUE, policy: "singleton", retryLimit: 1, retryDelay: 30, expireInSeconds: 10 * 60 });
  await boss.schedule(SLA_QUEUE, SLA_CRON, {}, { tz: "UTC" });
  await boss.work(SLA_QUEUE, { batchSize: 1, pollingIntervalSeconds: 10 }, async () => {
    const r = await runSlaTick(prisma);
    if (r.customers || r.events) log(`sla: recomputed ${r.incidents} deadline(s) of ${r.customers} customer(s); ${r.events} notification event(s)`);
  });
}
