import type { PrismaClient } from "../db/client.ts";

/**
 * Scanners for conditions that are not a change the sync saw: an incident nobody took for N minutes, a customer
 * whose consent was revoked, who lost a permission, or whose sync has failed for N minutes. Each writes an outbox
 * event with a dedupe key (INSERT … ON CONFLICT DO NOTHING), so running it every few seconds on every worker raises
 * each condition once. Only conditions that began within the last day are raised: enabling a rule does not replay
 * history. (SLA events, `sla.breaching`/`sla.breached`, come from the SLA scanner the same way.)
 */
const LOOKBACK = "24 hours";

export async function scanConditions(prisma: PrismaClient, now = new Date()): Promise<number> {
  let inserted = 0;
  const rules = await prisma.notificationRule.findMany({
    where: { enabled: true },
    select: { partnerId: true, kinds: true, unassignedMinutes: true, syncFailingMinutes: true },
  });
  const unassigned = new Set<string>();
  const failing = new Set<string>();
  const health = new Set<string>();
  for (const r of rules) {
    if (r.kinds.includes("incident.unassigned") && r.unassignedMinutes) unassigned.add(`${r.partnerId}|${r.unassignedMinutes}`);
    if (r.kinds.includes("customer.sync_failing") && r.syncFailingMinutes) failing.add(`${r.partnerId}|${r.syncFailingMinutes}`);
    if (r.kinds.includes("customer.consent_revoked") || r.kinds.includes("customer.permission_lost")) health.add(r.partnerId);
  }
  for (const entry of unassigned) {
    const [partnerId, n] = entry.split("|");
    const minutes = Number(n);
    inserted += await prisma.$executeRaw`
      INSERT INTO "NotificationEvent" ("partnerId", "customerId", "incidentId", kind, detail, "dedupeKey", "createdAt")
      SELECT c."partnerId", i."customerId", i.id, 'incident.unassigned', jsonb_build_object('minutes', ${minutes}::int),
        'incident.unassigned:' || i.id::text || ':' || ${minutes}::int, ${now}
      FROM "Incident" i JOIN "Customer" c ON c.id = i."customerId"
      WHERE c."partnerId" = ${partnerId}::uuid AND i."assignedTo" IS NULL AND i.status <> 'resolved'
        AND i."createdTime" <= ${now}::timestamptz - make_interval(mins => ${minutes}::int)
        AND i."createdTime" > ${now}::timestamptz - make_interval(mins => ${minutes}::int) - ${LOOKBACK}::interval
      ON CONFLICT ("dedupeKey") DO NOTHING`;
  }
  for (const entry of failing) {
    const [partnerId, n] = entry.split("|");
    const minutes = Number(n);
    // Failing since the last success (or since consent when it never succeeded), on any feed.
    inserted += await prisma.$executeRaw`
      INSERT INTO "NotificationEvent" ("partnerId", "customerId", kind, detail, "dedupeKey", "createdAt")
      SELECT c."partnerId", c.id, 'customer.sync_failing',
        jsonb_build_object('minutes', ${minutes}::int, 'since', f.since, 'error', f.error),
        'customer.sync_failing:' || c.id::text || ':' || f.since::text || ':' || ${minutes}::int, ${now}
      FROM "Customer" c JOIN LATERAL (
        SELECT MIN(COALESCE(s."lastSuccessAt", c."consentedAt", c."createdAt")) AS since, MAX(s."lastError") AS error
        FROM "SyncState" s
        WHERE s."customerId" = c.id AND s."lastErrorAt" IS NOT NULL AND s."lastErrorAt" > COALESCE(s."lastSuccessAt", '-infinity')
      ) f ON f.since IS NOT NULL
      WHERE c."partnerId" = ${partnerId}::uuid
        AND f.since <= ${now}::timestamptz - make_interval(mins => ${minutes}::int)
        AND f.since > ${now}::timestamptz - make_interval(mins => ${minutes}::int) - ${LOOKBACK}::interval
      ON CONFLICT ("dedupeKey") DO NOTHING`;
  }
  for (const partnerId of health) {
    inserted += await prisma.$executeRaw`
      INSERT INTO "NotificationEvent" ("partnerId", "customerId", kind, detail, "dedupeKey", "createdAt")
      SELECT c."partnerId", c.id, 'customer.consent_revoked', jsonb_build_object('reason', c."statusReason"),
        'customer.consent_revoked:' || c.id::text || ':' || c."updatedAt"::text, ${now}
      FROM "Customer" c
      WHERE c."partnerId" = ${partnerId}::uuid AND c.status = 'REVOKED' AND c."updatedAt" > ${now}::timestamptz - ${LOOKBACK}::interval
      ON CONFLICT ("dedupeKey") DO NOTHING`;
    inserted += await prisma.$executeRaw`
      INSERT INTO "NotificationEvent" ("partnerId", "customerId", kind, detail, "dedupeKey", "createdAt")
      SELECT c."partnerId", c.id, 'customer.permission_lost', jsonb_build_object('missing', c."statusReason"),
        'customer.permission_lost:' || c.id::text || ':' || c."permissionsMissingSince"::text, ${now}
      FROM "Customer" c
      WHERE c."partnerId" = ${partnerId}::uuid AND c."permissionsMissingSince" IS NOT NULL
        AND c."permissionsMissingSince" > ${now}::timestamptz - ${LOOKBACK}::interval
      ON CONFLICT ("dedupeKey") DO NOTHING`;
  }
  return inserted;
}
