import type PgBoss from "pg-boss";

/**
 * Jobs the portal writes as rows (a bulk triage job, a hunting run) and the worker's scheduler sends to pg-boss: one
 * pg-boss job per row at a time (singleton key = the row's id). A row whose run stopped beating (worker killed) is
 * sent again; the run itself knows what is already done.
 */
export interface LeasedJobRows {
  /** Rows queued, and rows "running" whose heartbeat is older than the lease. */
  findDue(now: number): Promise<{ id: string; status: string; queueJobId: string | null }[]>;
  markSent(id: string, queueJobId: string, wasRunning: boolean, now: number): Promise<void>;
}

/** Sends due rows to `queue`. Returns how many were sent. */
export async function enqueueLeasedJobs(boss: PgBoss, queue: string, rows: LeasedJobRows, now = Date.now()): Promise<number> {
  let sent = 0;
  for (const job of await rows.findDue(now)) {
    if (job.queueJobId) {
      const queued = await boss.getJobById(queue, job.queueJobId).catch(() => null);
      // Still waiting or starting: leave it.
      if (queued && (queued.state === "created" || queued.state === "retry")) continue;
      if (queued?.state === "active" && job.status === "queued") continue;
      if (queued?.state === "active") await boss.cancel(queue, job.queueJobId).catch(() => {});
    }
    const id = await boss.send(queue, { jobId: job.id }, { singletonKey: job.id });
    if (id) {
      sent += 1;
      await rows.markSent(job.id, id, job.status === "running", now);
    }
  }
  return sent;
}
