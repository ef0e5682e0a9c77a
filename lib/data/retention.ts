import type { PrismaClient } from "../db/client.ts";
import { purgeRateLimitWindows } from "./rate-limit.ts";

/**
 * Retention (issue #9 §4): consent ledger and audit rows are kept RETENTION_DAYS (default 400: a year of history
 * plus a margin for an annual review), then deleted by the worker's daily job. Deleted in batches so one purge never
 * holds a long lock or a huge transaction on tables the web process writes to. A collapsed refusal counts from the
 * last time it was seen, so a link still being hammered keeps its row.
 */
export interface PurgeResult {
  consentEvents: number;
  auditEntries: number;
  rateLimitWindows: number;
  /** Rows of hunting runs past their own retention (HuntRun.resultsExpireAt; the runs stay as history). */
  huntResultRows: number;
  cutoff: Date;
}

export async function purgeExpiredRecords(prisma: PrismaClient, opts: { retentionDays: number; batchSize?: number; now?: Date }): Promise<PurgeResult> {
  const now = opts.now ?? new Date();
  const batch = opts.batchSize ?? 5_000;
  const cutoff = new Date(now.getTime() - opts.retentionDays * 86_400_000);
  let consentEvents = 0;
  for (;;) {
    const n = await prisma.$executeRaw`
      DELETE FROM "ConsentEvent" WHERE "id" IN (SELECT "id" FROM "ConsentEvent" WHERE "createdAt" < ${cutoff} AND ("lastSeenAt" IS NULL OR "lastSeenAt" < ${cutoff}) LIMIT ${batch})`;
    consentEvents += n;
    if (n < batch) break;
  }
  let auditEntries = 0;
  for (;;) {
    const n = await prisma.$executeRaw`
      DELETE FROM "AuditEntry" WHERE "id" IN (SELECT "id" FROM "AuditEntry" WHERE "createdAt" < ${cutoff} LIMIT ${batch})`;
    auditEntries += n;
    if (n < batch) break;
  }
  const rateLimitWindows = await purgeRateLimitWindows(prisma, now);
  let huntResultRows = 0;
  for (;;) {
    const n = await prisma.$executeRaw`
      DELETE FROM "HuntResultRow" WHERE ctid IN (
        SELECT r.ctid FROM "HuntResultRow" r JOIN "HuntRun" h ON h."id" = r."runId" WHERE h."resultsExpireAt" <= ${now} LIMIT ${batch})`;
    huntResultRows += n;
    if (n < batch) break;
  }
  return { consentEvents, auditEntries, rateLimitWindows, huntResultRows, cutoff };
}
