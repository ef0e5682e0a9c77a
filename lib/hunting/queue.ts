import type PgBoss from "pg-boss";
import type { PrismaClient } from "../db/client.ts";
import { enqueueLeasedJobs } from "../sync/leased-jobs.ts";

/**
 * Hunting runs on the worker's pg-boss, like bulk triage: the portal writes a queued HuntRun (lib/data/hunting.ts),
 * the scheduler sends it here within seconds. A run beats its heartbeat after every customer; one this quiet
 * belonged to a dead worker and is sent again (a hunt is a read: customers not finished are simply asked again).
 */
export const HUNT_QUEUE = "hunting";
export const HUNT_LEASE_MS = 5 * 60_000;

export async function createHuntQueue(boss: PgBoss): Promise<void> {
  await boss.createQueue(HUNT_QUEUE, { name: HUNT_QUEUE, policy: "stately", retryLimit: 3, retryDelay: 10, expireInSeconds: 60 * 60 });
}

export function enqueueHuntRuns(prisma: PrismaClient, boss: PgBoss, now = Date.now()): Promise<number> {
  return enqueueLeasedJobs(
    boss,
    HUNT_QUEUE,
    {
      findDue: (t) =>
        prisma.huntRun.findMany({
          where: {
            OR: [{ status: "queued" }, { status: "running", OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: new Date(t - HUNT_LEASE_MS) } }] }],
          },
          select: { id: true, status: true, queueJobId: true },
          take: 100,
        }),
      markSent: async (id, queueJobId, wasRunning, t) => {
        await prisma.huntRun.update({ where: { id }, data: { queueJobId, ...(wasRunning ? { heartbeatAt: new Date(t) } : {}) } });
      },
    },
    now,
  );
}
