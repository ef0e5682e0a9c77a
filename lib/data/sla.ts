import { z } from "zod";
import { assertCan, type Viewer } from "../auth/viewer.ts";
import { db, SqlParams, sqlRows } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import type { Result } from "../result.ts";
import { failure } from "../result.ts";
import { GUID_RE } from "../shared/ids.ts";
import { markSlaStale } from "../sla/clocks.ts";
import { DEFAULT_POLICY, policyFromStored, slaPolicySchema, type SlaPolicyRule } from "../sla/policy.ts";
import { writeAudit } from "./audit.ts";
import { customerScopeSql, customerScopeWhere } from "./customers.ts";

/**
 * SLA policies (admins), an incident's SLA state and change history, breaches per customer, and the monthly report's
 * recipients. Every function takes the viewer and scopes by its partner and customers in the same query.
 */

export interface SlaPolicyView {
  /** null = the partner default. */
  groupId: string | null;
  groupName: string | null;
  members: number;
  policy: SlaPolicyRule | null;
  /** The default is the built-in one (nothing saved yet). */
  builtIn?: boolean;
  updatedAt: Date | null;
}

export async function getSlaSettings(viewer: Viewer): Promise<{ defaultPolicy: SlaPolicyView; groups: SlaPolicyView[] }> {
  assertCan(viewer, "sla:manage");
  const [rows, groups] = await Promise.all([
    db().slaPolicy.findMany({ where: { partnerId: viewer.partnerId }, select: { groupId: true, targets: true, calendar: true, updatedAt: true } }),
    db().customerGroup.findMany({
      where: { partnerId: viewer.partnerId },
      orderBy: { name: "asc" },
      select: { id: true, name: true, _count: { select: { members: true } } },
    }),
  ]);
  const stored = rows.find((r) => r.groupId === null);
  return {
    defaultPolicy: {
      groupId: null,
      groupName: null,
      members: 0,
      policy: stored ? policyFromStored(stored) : DEFAULT_POLICY,
      builtIn: !stored,
      updatedAt: stored?.updatedAt ?? null,
    },
    groups: groups.map((g) => {
      const row = rows.find((r) => r.groupId === g.id);
      return { groupId: g.id, groupName: g.name, members: g._count.members, policy: row ? policyFromStored(row) : null, updatedAt: row?.updatedAt ?? null };
    }),
  };
}

/** "default" or a group id, from the form's hidden field or an action's bound argument. */
const policyKey = z.union([z.literal("default"), z.string().regex(GUID_RE)]);

async function groupOfPartner(viewer: Viewer, key: string): Promise<{ groupId: string | null } | null> {
  if (key === "default") return { groupId: null };
  const g = await db().customerGroup.findFirst({ where: { id: key, partnerId: viewer.partnerId }, select: { id: true } });
  return g ? { groupId: g.id } : null;
}

/** Saves the default or a group's policy (one INSERT … ON CONFLICT), marks the affected customers for a recompute. */
export async function saveSlaPolicy(viewer: Viewer, key: string, input: unknown): Promise<Result> {
  assertCan(viewer, "sla:manage");
  const k = policyKey.safeParse(key);
  if (!k.success) return failure("No such policy.", "not_found");
  const target = await groupOfPartner(viewer, k.data);
  if (!target) return failure("No such customer group.", "not_found");
  const parsed = slaPolicySchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[issue.path.join(".")] ??= issue.message;
    return { ok: false, fieldErrors, formError: "Check the highlighted values." };
  }
  const { targets, calendar } = parsed.data;
  await db().$transaction(async (tx) => {
    await tx.$executeRaw`
      INSERT INTO "SlaPolicy" (id, "partnerId", "groupId", targets, calendar, "updatedAt", "updatedBy")
      VALUES (gen_random_uuid(), ${viewer.partnerId}::uuid, ${target.groupId}::uuid, ${JSON.stringify(targets)}::jsonb,
        ${calendar ? JSON.stringify(calendar) : null}::jsonb, now(), ${`user:${viewer.userId}`})
      ON CONFLICT ("partnerId", "groupId") DO UPDATE SET targets = EXCLUDED.targets, calendar = EXCLUDED.calendar,
        "updatedAt" = EXCLUDED."updatedAt", "updatedBy" = EXCLUDED."updatedBy"`;
    await markStaleFor(tx, viewer, target.groupId);
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: target.groupId ? "sla.policy_saved" : "sla.policy_default_saved",
      detail: { groupId: target.groupId, targets, calendar },
    });
  });
  return { ok: true, message: "Saved. Open incidents' deadlines are recomputed within a minute." };
}

/** Removes a group's policy (its customers fall back to their other groups' or the default), or resets the default. */
export async function removeSlaPolicy(viewer: Viewer, key: string): Promise<Result> {
  assertCan(viewer, "sla:manage");
  const k = policyKey.safeParse(key);
  if (!k.success) return failure("No such policy.", "not_found");
  const target = await groupOfPartner(viewer, k.data);
  if (!target) return failure("No such customer group.", "not_found");
  const removed = await db().$transaction(async (tx) => {
    const r = await tx.slaPolicy.deleteMany({ where: { partnerId: viewer.partnerId, groupId: target.groupId } });
    if (r.count === 0) return 0;
    await markStaleFor(tx, viewer, target.groupId);
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: target.groupId ? "sla.policy_removed" : "sla.policy_default_reset",
      detail: { groupId: target.groupId },
    });
    return r.count;
  });
  if (!removed) return failure("There is no saved policy to remove.", "not_found");
  return { ok: true, message: target.groupId ? "Removed. Its customers use their other groups' policies or the default." : "Reset to the built-in default." };
}

async function markStaleFor(tx: Prisma.TransactionClient, viewer: Viewer, groupId: string | null) {
  if (groupId === null) return markSlaStale(tx, { partnerId: viewer.partnerId });
  const members = await tx.customerGroupMember.findMany({ where: { groupId }, select: { customerId: true } });
  return markSlaStale(tx, { customerIds: members.map((m) => m.customerId) });
}

export interface ChangeView {
  id: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
  origin: string;
  actorName: string | null;
  observedAt: Date;
  /** Portal changes (issue 13): "application" (the app's token) or "delegated" (the analyst's), and whom Microsoft records. */
  writeContext: string | null;
  microsoftActor: string | null;
}

/** An incident's SLA deadlines and observed change history (newest first), if the viewer may see it. */
export async function getIncidentSla(viewer: Viewer, incidentId: string, opts: { historyLimit?: number } = {}) {
  assertCan(viewer, "incidents:read");
  if (!GUID_RE.test(incidentId)) return null;
  const row = await db().incident.findFirst({
    where: { AND: [{ id: incidentId }, { customer: customerScopeWhere(viewer) }] },
    select: {
      createdTime: true,
      acknowledgedAt: true,
      resolvedAt: true,
      slaAckDueAt: true,
      slaResolveDueAt: true,
      changes: {
        orderBy: [{ observedAt: "desc" }, { id: "desc" }],
        take: opts.historyLimit ?? 200,
        select: {
          id: true,
          field: true,
          oldValue: true,
          newValue: true,
          origin: true,
          actor: true,
          observedAt: true,
          writeContext: true,
          microsoftActor: true,
        },
      },
    },
  });
  if (!row) return null;
  const userIds = [...new Set(row.changes.map((c) => /^user:(.+)$/.exec(c.actor ?? "")?.[1]).filter((x): x is string => Boolean(x && GUID_RE.test(x))))];
  const users = userIds.length
    ? await db().portalUser.findMany({ where: { id: { in: userIds }, partnerId: viewer.partnerId }, select: { id: true, displayName: true } })
    : [];
  const names = new Map(users.map((u) => [`user:${u.id}`, u.displayName]));
  const changes: ChangeView[] = row.changes.map((c) => ({
    id: String(c.id),
    field: c.field,
    oldValue: c.oldValue,
    newValue: c.newValue,
    origin: c.origin,
    actorName: c.actor ? (names.get(c.actor) ?? "a former user") : null,
    observedAt: c.observedAt,
    writeContext: c.writeContext,
    microsoftActor: c.microsoftActor,
  }));
  return {
    createdTime: row.createdTime,
    acknowledgedAt: row.acknowledgedAt,
    resolvedAt: row.resolvedAt,
    ackDueAt: row.slaAckDueAt,
    resolveDueAt: row.slaResolveDueAt,
    changes,
  };
}
export type IncidentSlaView = NonNullable<Awaited<ReturnType<typeof getIncidentSla>>>;

/** Incidents whose running deadline has passed (breached) or passes within the hour, per customer of the viewer's. */
export async function slaBreachesByCustomer(viewer: Viewer, customerIds: readonly string[], now = new Date()) {
  assertCan(viewer, "incidents:read");
  const out = new Map<string, { breached: number; breaching: number }>();
  if (!customerIds.length) return out;
  // Plain SQL, one statement for both counts (the overview asks on every view: lib/db/client.ts sqlRows).
  const p = new SqlParams();
  const scope = [...customerScopeSql(viewer, p), `c.id = ANY(${p.add([...customerIds])}::uuid[])`].join(" AND ");
  const [at, soon] = [p.add(now), p.add(new Date(now.getTime() + 3_600_000))];
  const rows = await sqlRows<{ customerId: string; breached: number; breaching: number }>(
    `SELECT t."customerId", count(*) FILTER (WHERE t."slaNextDueAt" <= ${at})::int AS breached,
            count(*) FILTER (WHERE t."slaNextDueAt" > ${at})::int AS breaching
       FROM "Incident" t JOIN "Customer" c ON c.id = t."customerId"
      WHERE ${scope} AND t."slaNextDueAt" <= ${soon} GROUP BY t."customerId"`,
    p.values,
  );
  for (const r of rows) out.set(r.customerId, { breached: r.breached, breaching: r.breaching });
  return out;
}

/** Every customer of the viewer's with a running deadline passed: the overview's total. */
export async function slaBreachedTotal(viewer: Viewer, now = new Date()): Promise<number> {
  assertCan(viewer, "incidents:read");
  const p = new SqlParams();
  const scope = customerScopeSql(viewer, p).join(" AND ");
  const [row] = await sqlRows<{ n: number }>(
    `SELECT count(*)::int AS n FROM "Incident" t JOIN "Customer" c ON c.id = t."customerId" WHERE ${scope} AND t."slaNextDueAt" <= ${p.add(now)}`,
    p.values,
  );
  return row?.n ?? 0;
}

const recipientsSchema = z
  .string()
  .max(5_000, "Too long.")
  .transform((v) =>
    v
      .split(/[\s,;]+/)
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.email({ message: "Not an e-mail address." }).max(254))
      .max(20, "At most 20 recipients.")
      .transform((a) => [...new Set(a)]),
  );

/** Who receives a customer's monthly report: validated addresses, audited. */
export async function setReportRecipients(viewer: Viewer, customerId: string, input: { recipients: string }): Promise<Result> {
  assertCan(viewer, "sla:manage");
  if (!GUID_RE.test(customerId)) return failure("Customer not found.", "not_found");
  const parsed = recipientsSchema.safeParse(input.recipients ?? "");
  if (!parsed.success) {
    const bad = parsed.error.issues[0];
    const index = typeof bad?.path[0] === "number" ? bad.path[0] : null;
    const list = String(input.recipients ?? "")
      .split(/[\s,;]+/)
      .filter(Boolean);
    const which = index !== null && list[index] ? ` (${list[index]!.slice(0, 100)})` : "";
    return { ok: false, fieldErrors: { recipients: `${bad?.message ?? "Invalid."}${which}` } };
  }
  const recipients = parsed.data;
  const updated = await db().$transaction(async (tx) => {
    const r = await tx.customer.updateMany({ where: { AND: [{ id: customerId }, customerScopeWhere(viewer)] }, data: { reportRecipients: recipients } });
    if (r.count === 0) return 0;
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "report.recipients_set", customerId, detail: { recipients } });
    return r.count;
  });
  if (!updated) return failure("Customer not found.", "not_found");
  return {
    ok: true,
    message: recipients.length ? `Saved ${recipients.length} recipient${recipients.length === 1 ? "" : "s"}.` : "No recipients: no monthly e-mail.",
  };
}
