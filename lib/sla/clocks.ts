import type { Prisma, PrismaClient } from "../generated/prisma/client";
import { DEFAULT_POLICY, dueTimes, policyFromStored, type SlaPolicyRule } from "./policy.ts";

/**
 * Stored SLA deadlines. Not scoped to a viewer: the sync's upsert, the SLA job and the scanner call these with ids
 * they already hold. Deadlines are written in the upsert's own transaction (a hook at the end of upsertIncidents), so a
 * new or changed incident is never visible without them; a policy or membership change marks the customer
 * (`slaStaleSince`) and the per-minute SLA job recomputes its open incidents.
 */
type Db = Prisma.TransactionClient | PrismaClient;

/** The policies that apply to each customer: its groups' policies, or else the partner default (stored or built in). */
export async function policiesForCustomers(db: Db, customerIds: readonly string[]): Promise<Map<string, SlaPolicyRule[]>> {
  const out = new Map<string, SlaPolicyRule[]>();
  if (!customerIds.length) return out;
  const customers = await db.customer.findMany({
    where: { id: { in: [...customerIds] } },
    select: { id: true, partnerId: true, groupMemberships: { select: { groupId: true } } },
  });
  const partnerIds = [...new Set(customers.map((c) => c.partnerId))];
  const rows = await db.slaPolicy.findMany({
    where: { partnerId: { in: partnerIds } },
    select: { partnerId: true, groupId: true, targets: true, calendar: true },
  });
  for (const c of customers) {
    const groups = new Set(c.groupMemberships.map((m) => m.groupId));
    const mine = rows.filter((r) => r.partnerId === c.partnerId && r.groupId !== null && groups.has(r.groupId));
    const fallback = rows.find((r) => r.partnerId === c.partnerId && r.groupId === null);
    out.set(c.id, mine.length ? mine.map(policyFromStored) : fallback ? [policyFromStored(fallback)] : [DEFAULT_POLICY]);
  }
  return out;
}

type ClockRow = { id: string; customerId: string; createdTime: Date; severity: string };

/** Computes and writes the deadlines of these incidents (and their next running deadline); returns rows changed. */
export async function applySlaClocks(db: Db, incidentIds: readonly string[]): Promise<number> {
  if (!incidentIds.length) return 0;
  const rows = await db.$queryRaw<ClockRow[]>`
    SELECT id::text, "customerId"::text AS "customerId", "createdTime", severity FROM "Incident" WHERE id = ANY(${[...incidentIds]}::uuid[])`;
  return writeClocks(db, rows);
}

async function writeClocks(db: Db, rows: ClockRow[]): Promise<number> {
  if (!rows.length) return 0;
  const policies = await policiesForCustomers(db, [...new Set(rows.map((r) => r.customerId))]);
  const due = rows.map((r) => {
    const d = dueTimes(r.createdTime, r.severity, policies.get(r.customerId) ?? [DEFAULT_POLICY]);
    return { id: r.id, ack: d.ackDueAt.toISOString(), resolve: d.resolveDueAt.toISOString() };
  });
  // LEAST ignores NULLs: the next deadline is the earliest one not yet met (NULL when both are met).
  return db.$executeRaw`
    UPDATE "Incident" i SET "slaAckDueAt" = x.ack, "slaResolveDueAt" = x.resolve,
      "slaNextDueAt" = LEAST(CASE WHEN i."acknowledgedAt" IS NULL THEN x.ack END, CASE WHEN i."resolvedAt" IS NULL THEN x.resolve END)
    FROM jsonb_to_recordset(${JSON.stringify(due)}::jsonb) AS x(id uuid, ack timestamptz, resolve timestamptz)
    WHERE i.id = x.id AND (i."slaAckDueAt" IS DISTINCT FROM x.ack OR i."slaResolveDueAt" IS DISTINCT FROM x.resolve
      OR i."slaNextDueAt" IS DISTINCT FROM LEAST(CASE WHEN i."acknowledgedAt" IS NULL THEN x.ack END, CASE WHEN i."resolvedAt" IS NULL THEN x.resolve END))`;
}

/** Marks customers for a recompute (a policy or their group membership changed); call it in the changing transaction. */
export async function markSlaStale(db: Db, where: { customerIds?: readonly string[]; partnerId?: string }): Promise<void> {
  if (where.customerIds) {
    if (!where.customerIds.length) return;
    await db.customer.updateMany({ where: { id: { in: [...where.customerIds] } }, data: { slaStaleSince: new Date() } });
  } else if (where.partnerId) {
    await db.customer.updateMany({ where: { partnerId: where.partnerId }, data: { slaStaleSince: new Date() } });
  }
}

const RECOMPUTE_BATCH = 2_000;

/**
 * Recomputes the deadlines of stale customers' open incidents (and of any incident that has none yet, e.g. stored
 * before this feature). Resolved incidents keep the deadlines they were measured against. The mark is cleared only
 * if no newer change arrived meanwhile.
 */
export async function recomputeStaleCustomers(prisma: PrismaClient, opts: { maxCustomers?: number } = {}): Promise<{ customers: number; incidents: number }> {
  const stale = await prisma.customer.findMany({
    where: { slaStaleSince: { not: null } },
    orderBy: { slaStaleSince: "asc" },
    take: opts.maxCustomers ?? 200,
    select: { id: true, slaStaleSince: true },
  });
  let incidents = 0;
  for (const c of stale) {
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const rows = await prisma.$queryRaw<ClockRow[]>`
        SELECT id::text, "customerId"::text AS "customerId", "createdTime", severity FROM "Incident"
        WHERE "customerId" = ${c.id}::uuid AND id > ${after}::uuid AND (status <> 'resolved' OR "slaAckDueAt" IS NULL)
        ORDER BY id LIMIT ${RECOMPUTE_BATCH}`;
      if (!rows.length) break;
      incidents += await writeClocks(prisma, rows);
      after = rows[rows.length - 1]!.id;
      if (rows.length < RECOMPUTE_BATCH) break;
    }
    await prisma.customer.updateMany({ where: { id: c.id, slaStaleSince: c.slaStaleSince }, data: { slaStaleSince: null } });
  }
  return { customers: stale.length, incidents };
}

/** Minutes before a deadline at which "sla.breaching" is announced. */
export const BREACHING_WINDOW_MINUTES = 15;
/** Deadlines missed longer ago than this are not announced (a first run over an old backlog is not news). */
export const BREACH_LOOKBACK_HOURS = 24;

/**
 * Writes "sla.breaching" (deadline within the window) and "sla.breached" (deadline passed, not met) events to the
 * notifications outbox, once per (kind, clock, incident): the dedupe key makes every later scan a no-op.
 */
export async function scanSlaNotifications(prisma: Db, now = new Date()): Promise<number> {
  const soon = new Date(now.getTime() + BREACHING_WINDOW_MINUTES * 60_000);
  const since = new Date(now.getTime() - BREACH_LOOKBACK_HOURS * 3_600_000);
  return prisma.$executeRaw`
    INSERT INTO "NotificationEvent" ("partnerId", "customerId", "incidentId", kind, detail, "dedupeKey")
    SELECT c."partnerId", i."customerId", i.id, e.kind,
      jsonb_build_object('which', e.which, 'dueAt', to_char(e.due AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
      'sla:' || e.kind || ':' || e.which || ':' || i.id::text
    FROM "Incident" i
    JOIN "Customer" c ON c.id = i."customerId"
    CROSS JOIN LATERAL (VALUES
      ('ack', i."slaAckDueAt", i."acknowledgedAt"),
      ('resolve', i."slaResolveDueAt", i."resolvedAt")
    ) AS clock(which, due, done)
    CROSS JOIN LATERAL (SELECT CASE WHEN clock.due <= ${now} THEN 'sla.breached' ELSE 'sla.breaching' END AS kind, clock.which, clock.due) AS e
    -- A running clock due by \`soon\` implies slaNextDueAt (the earliest running one) ≤ soon: the index narrows first.
    WHERE i."slaNextDueAt" <= ${soon}
      AND clock.done IS NULL AND clock.due <= ${soon} AND clock.due > ${since}
    ON CONFLICT ("dedupeKey") DO NOTHING`;
}
