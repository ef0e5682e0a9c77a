import type { NotifyConfig } from "../config/notify.ts";
import type { PrismaClient } from "../db/client.ts";
import { openChannel } from "./channels.ts";
import type { NotifyItem } from "./model.ts";
import { backoffMs } from "./schedule.ts";
import { sendToChannel, type SendDeps, type SendOutcome } from "./send.ts";

/**
 * Delivery: claim due rows with a lease, send, record the outcome. "Exactly once" here means one delivery row per
 * (rule, channel, event) (the unique key), sent until one attempt succeeds: at-least-once on the wire, every
 * attempt carrying the same id (X-Portal-Delivery-Id, the e-mail's Message-ID), so a receiver that keeps the ids it
 * has seen processes each delivery once. A worker killed mid-send leaves its lease; when the lease expires another
 * worker takes the row again with the same id.
 */
type Claimed = {
  id: string;
  partnerId: string;
  channelId: string;
  eventId: bigint | null;
  eventKind: string;
  customerId: string;
  incidentId: string | null;
  bundleKey: string | null;
  attempts: number;
  eventAt: Date;
};

export interface DeliverDeps extends SendDeps {
  config: NotifyConfig;
  /** Called after a claim and before the send (the chaos campaign and tests pause or kill a worker here). */
  onClaimed?: (ids: string[]) => Promise<void> | void;
  log?: (line: string) => void;
}

export async function claimDue(prisma: PrismaClient, leaseMs: number, limit: number, now = new Date()): Promise<Claimed[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  // Whole digest bundles or nothing: the worker that wins the bundle's advisory lock claims every due row of it.
  return prisma.$queryRaw<Claimed[]>`
    WITH due AS (
      SELECT id, "bundleKey" FROM "NotificationDelivery"
      WHERE ((status IN ('pending', 'held') AND "nextAttemptAt" <= ${now}) OR (status = 'sending' AND "leaseUntil" < ${now}))
      ORDER BY "nextAttemptAt", id LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ), bundles AS (
      SELECT DISTINCT "bundleKey" FROM due WHERE "bundleKey" IS NOT NULL AND pg_try_advisory_xact_lock(hashtext('notify-bundle'), hashtext("bundleKey"))
    )
    UPDATE "NotificationDelivery" d SET status = 'sending', "leaseUntil" = ${leaseUntil}, attempts = d.attempts + 1, "updatedAt" = ${now}
    WHERE d.id IN (SELECT id FROM due WHERE "bundleKey" IS NULL)
       OR (d."bundleKey" IN (SELECT "bundleKey" FROM bundles)
           AND ((d.status IN ('pending', 'held') AND d."nextAttemptAt" <= ${now}) OR (d.status = 'sending' AND d."leaseUntil" < ${now})))
    RETURNING d.id::text, d."partnerId"::text, d."channelId"::text, d."eventId", d."eventKind", d."customerId"::text, d."incidentId"::text,
      d."bundleKey", d.attempts, d."eventAt"`;
}

/** What the formatter needs for each claimed row (customer and incident as stored now, the event's detail). */
async function itemsFor(prisma: PrismaClient, rows: Claimed[]): Promise<Map<string, NotifyItem>> {
  const [customers, incidents, events] = await Promise.all([
    prisma.customer.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.customerId))] } }, select: { id: true, displayName: true } }),
    prisma.incident.findMany({
      where: { id: { in: rows.map((r) => r.incidentId).filter((x): x is string => Boolean(x)) } },
      select: { id: true, sourceId: true, title: true, severity: true, status: true, assignedTo: true },
    }),
    prisma.notificationEvent.findMany({
      where: { id: { in: rows.map((r) => r.eventId).filter((x): x is bigint => x !== null) } },
      select: { id: true, detail: true },
    }),
  ]);
  const customer = new Map(customers.map((c) => [c.id, c]));
  const incident = new Map(incidents.map((i) => [i.id, i]));
  const detail = new Map(events.map((e) => [e.id, e.detail as Record<string, unknown>]));
  const out = new Map<string, NotifyItem>();
  for (const r of rows) {
    out.set(r.id, {
      kind: r.eventKind,
      occurredAt: r.eventAt,
      customer: { id: r.customerId, name: customer.get(r.customerId)?.displayName ?? "(customer removed)" },
      incident: r.incidentId ? (incident.get(r.incidentId) ?? null) : null,
      detail: (r.eventId !== null ? detail.get(r.eventId) : undefined) ?? {},
    });
  }
  return out;
}

/** Claims and sends what is due; returns how many rows were delivered, retried and failed. */
export async function deliverDue(prisma: PrismaClient, deps: DeliverDeps, opts: { limit?: number; concurrency?: number } = {}) {
  const cfg = deps.config;
  const claimed = await claimDue(prisma, cfg.leaseMs, opts.limit ?? 50, deps.now?.() ?? new Date());
  const tally = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };
  if (!claimed.length) return tally;
  await deps.onClaimed?.(claimed.map((c) => c.id));
  const items = await itemsFor(prisma, claimed);
  // One unit = one message: a digest bundle, or a single row.
  const units = new Map<string, Claimed[]>();
  for (const c of claimed) {
    const k = c.bundleKey ?? c.id;
    (units.get(k) ?? units.set(k, []).get(k)!).push(c);
  }
  const channelIds = [...new Set(claimed.map((c) => c.channelId))];
  const channels = new Map((await prisma.notificationChannel.findMany({ where: { id: { in: channelIds } } })).map((c) => [c.id, c]));
  const queue = [...units.values()];
  const work = async () => {
    for (let unit = queue.shift(); unit; unit = queue.shift()) {
      unit.sort((a, b) => (a.id < b.id ? -1 : 1));
      const channelRow = channels.get(unit[0]!.channelId);
      let outcome: SendOutcome;
      if (!channelRow || !channelRow.enabled) {
        outcome = { ok: false, status: null, latencyMs: 0, retryAfterMs: null, error: "The channel was deleted or disabled.", permanent: true };
      } else {
        try {
          const channel = openChannel(cfg.encryptionKey, channelRow);
          const unitItems = unit.map((r) => items.get(r.id)!);
          // A bundle's id is its smallest row id: the same on every retry of the same bundle.
          outcome = await sendToChannel(channel, unitItems, unit[0]!.id, unit.length > 1 ? "digest" : unit[0]!.eventKind, deps);
        } catch (err) {
          outcome = { ok: false, status: null, latencyMs: 0, retryAfterMs: null, error: (err as Error).message.slice(0, 300), permanent: false };
        }
      }
      const result = await record(prisma, unit, outcome, cfg, deps.now?.() ?? new Date());
      tally[result] += unit.length;
      if (result !== "delivered") deps.log?.(`notification ${unit[0]!.id}: ${result} (${outcome.error ?? outcome.status})`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, queue.length) }, work));
  return tally;
}

async function record(prisma: PrismaClient, unit: Claimed[], o: SendOutcome, cfg: NotifyConfig, now: Date): Promise<"delivered" | "retrying" | "failed"> {
  const ids = unit.map((r) => r.id);
  const attempts = Math.max(...unit.map((r) => r.attempts));
  // Fenced by the attempt this worker claimed: a worker whose lease expired and was re-taken does not overwrite.
  const fence = { id: { in: ids }, status: "sending", attempts };
  const common = { lastStatusCode: o.status, latencyMs: o.latencyMs, leaseUntil: null };
  if (o.ok) {
    await prisma.notificationDelivery.updateMany({
      where: fence,
      data: { ...common, status: "delivered", deliveredAt: now, lastError: null, heldReason: null },
    });
    return "delivered";
  }
  if (o.permanent || attempts >= cfg.maxAttempts) {
    await prisma.notificationDelivery.updateMany({ where: fence, data: { ...common, status: "failed", lastError: o.error } });
    return "failed";
  }
  const wait = Math.max(o.retryAfterMs ?? 0, backoffMs(attempts, cfg.retryBaseMs, cfg.retryMaxMs));
  await prisma.notificationDelivery.updateMany({
    where: fence,
    data: { ...common, status: "pending", lastError: o.error, nextAttemptAt: new Date(now.getTime() + wait), heldReason: null },
  });
  return "retrying";
}
