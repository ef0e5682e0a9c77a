import type PgBoss from "pg-boss";
import type { PrismaClient } from "../db/client.ts";
import { enqueueLeasedJobs } from "../sync/leased-jobs.ts";

/**
 * Bulk jobs on the worker's pg-boss: the portal writes a queued BulkJob (lib/data/bulk.ts) and the worker's scheduler
 * sends it here, as it does for "Refresh now". One job per BulkJob at a time (singleton key); a run whose heartbeat
 * stopped (worker killed) is cancelled and sent again, and the new run reads before it resends (lib/bulk/run.ts).
 */
export const BULK_QUEUE = "bulk-triage";
/** A run refreshes its heartbeat after every item; one this quiet belonged to a dead worker. */
export const BULK_LEASE_MS = 2 * 60_000;

export async function createBulkQueue(boss: PgBoss): Promise<void> {
  await boss.createQueue(BULK_QUEUE, { name: BULK_QUEUE, policy: "stately", retryLimit: 3, retryDelay: 10, expireInSeconds: 60 * 60 });
}

/** Sends queued jobs, and jobs whose run lost its worker, to the queue. Returns how many were sent. */
export function enqueueBulkJobs(prisma: PrismaClient, boss: PgBoss, now = Date.now()): Promise<number> {
  return enqueueLeasedJobs(
    boss,
    BULK_QUEUE,
    {
      findDue: (t) =>
        prisma.bulkJob.findMany({
          where: {
            OR: [{ status: "queued" }, { status: "running", OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: new Date(t - BULK_LEASE_MS) } }] }],
          },
          select: { id: true, status: true, queueJobId: true },
          take: 100,
        }),
      markSent: async (id, queueJobId, wasRunning, t) => {
        await prisma.bulkJob.update({ where: { id }, data: { queueJobId, ...(wasRunning ? { heartbeatAt: new Date(t) } : {}) } });
      },
    },
    now,
  );
}
