import type { PrismaClient } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import { ruleMatches, suppressionFor } from "./rules.ts";
import { digestWindowEnd, quietUntil } from "./schedule.ts";

/**
 * The dispatcher: turns undispatched outbox events into delivery rows, one per (rule, channel, event), and stamps
 * the events dispatched in the same transaction. Events are taken FOR UPDATE SKIP LOCKED, so any number of workers
 * share the outbox; the delivery key is unique, so an event dispatched twice (a worker that died after inserting and
 * before committing cannot, but a bug could) still yields one row.
 */
type EventRow = {
  id: bigint;
  partnerId: string;
  customerId: string;
  incidentId: string | null;
  kind: string;
  detail: Record<string, unknown>;
  dedupeKey: string | null;
  createdAt: Date;
};

/**
 * The unique key of a delivery: (rule, channel, incident or customer, kind, and what tells two events of one kind
 * apart). A new incident is announced once per rule and channel, ever; a severity raise once per target severity;
 * a reopening once per outbox event; scanner events by their dedupe key.
 */
export function deliveryKey(
  ruleId: string,
  channelId: string,
  e: Pick<EventRow, "id" | "kind" | "incidentId" | "customerId" | "dedupeKey" | "detail">,
): string {
  const subject = e.incidentId ?? e.customerId;
  let discriminator = "";
  if (e.dedupeKey) discriminator = e.dedupeKey;
  else if (e.kind === "incident.severity_raised") discriminator = `to:${String(e.detail.to ?? "")}`;
  else if (e.kind !== "incident.created") discriminator = `event:${e.id}`;
  return `${ruleId}|${channelId}|${subject}|${e.kind}|${discriminator}`;
}

export async function dispatchPending(prisma: PrismaClient, opts: { now?: Date; limit?: number } = {}): Promise<{ events: number; deliveries: number }> {
  const limit = opts.limit ?? 200;
  return prisma.$transaction(
    async (tx) => {
      const now = opts.now ?? new Date();
      const events = await tx.$queryRaw<EventRow[]>`
        SELECT id, "partnerId"::text, "customerId"::text, "incidentId"::text, kind, detail, "dedupeKey", "createdAt"
        FROM "NotificationEvent" WHERE "dispatchedAt" IS NULL ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
      if (!events.length) return { events: 0, deliveries: 0 };
      const partnerIds = [...new Set(events.map((e) => e.partnerId))];
      const customerIds = [...new Set(events.map((e) => e.customerId))];
      const incidentIds = [...new Set(events.map((e) => e.incidentId).filter((x): x is string => Boolean(x)))];
      const [rules, channels, suppressions, memberships, incidents] = await Promise.all([
        tx.notificationRule.findMany({ where: { partnerId: { in: partnerIds }, enabled: true } }),
        tx.notificationChannel.findMany({ where: { partnerId: { in: partnerIds }, enabled: true }, select: { id: true, partnerId: true } }),
        tx.notificationSuppression.findMany({ where: { partnerId: { in: partnerIds }, endedAt: null, until: { gt: now } }, orderBy: { createdAt: "asc" } }),
        tx.customerGroupMember.findMany({ where: { customerId: { in: customerIds } }, select: { customerId: true, groupId: true } }),
        tx.incident.findMany({ where: { id: { in: incidentIds } }, select: { id: true, title: true, severity: true } }),
      ]);
      const groupsOf = new Map<string, Set<string>>();
      for (const m of memberships) (groupsOf.get(m.customerId) ?? groupsOf.set(m.customerId, new Set()).get(m.customerId)!).add(m.groupId);
      const incidentById = new Map(incidents.map((i) => [i.id, i]));
      const channelPartner = new Map(channels.map((c) => [c.id, c.partnerId]));
      const rows: Prisma.NotificationDeliveryCreateManyInput[] = [];
      for (const e of events) {
        const incident = e.incidentId ? incidentById.get(e.incidentId) : undefined;
        const facts = {
          kind: e.kind,
          customerId: e.customerId,
          groupIds: groupsOf.get(e.customerId) ?? new Set<string>(),
          // SLA scanners may name the severity in the event; otherwise the incident's own.
          severity: incident?.severity ?? (typeof e.detail.severity === "string" ? e.detail.severity : null),
          // A title suppression silences incident events; a device response action (a person's deliberate act) is
          // not one, even when it names an incident.
          title: e.kind === "device.action" ? null : (incident?.title ?? null),
          detail: e.detail ?? {},
        };
        const suppression = suppressionFor(
          suppressions.filter((s) => s.partnerId === e.partnerId),
          facts,
          now,
        );
        for (const rule of rules) {
          if (rule.partnerId !== e.partnerId || !ruleMatches(rule, facts)) continue;
          for (const channelId of rule.channelIds) {
            if (channelPartner.get(channelId) !== e.partnerId) continue;
            const base = {
              partnerId: e.partnerId,
              ruleId: rule.id,
              channelId,
              eventId: e.id,
              eventKind: e.kind,
              customerId: e.customerId,
              incidentId: e.incidentId,
              key: deliveryKey(rule.id, channelId, e),
              eventAt: e.createdAt,
            };
            if (suppression) {
              rows.push({ ...base, status: "suppressed", suppressionId: suppression.id, heldReason: `suppressed: ${suppression.reason}`.slice(0, 300) });
              continue;
            }
            let notBefore = now;
            const reasons: string[] = [];
            let bundleKey: string | null = null;
            if (rule.digestMinutes) {
              const end = digestWindowEnd(now, rule.digestMinutes);
              bundleKey = `${rule.id}|${channelId}|${end.toISOString()}`;
              notBefore = end;
              reasons.push(`digest until ${end.toISOString()}`);
            }
            const quiet = quietUntil(notBefore, { start: rule.quietStart, end: rule.quietEnd, timeZone: rule.timeZone });
            if (quiet) {
              notBefore = quiet;
              reasons.push(`quiet hours until ${quiet.toISOString()}`);
            }
            rows.push({ ...base, bundleKey, status: reasons.length ? "held" : "pending", heldReason: reasons.join("; ") || null, nextAttemptAt: notBefore });
          }
        }
      }
      const created = rows.length ? await tx.notificationDelivery.createMany({ data: rows, skipDuplicates: true }) : { count: 0 };
      await tx.notificationEvent.updateMany({ where: { id: { in: events.map((e) => e.id) } }, data: { dispatchedAt: now } });
      return { events: events.length, deliveries: created.count };
    },
    { timeout: 30_000 },
  );
}
