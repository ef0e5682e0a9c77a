import { randomUUID } from "node:crypto";
import { cache } from "react";
import { z } from "zod";
import { assertCan, type Viewer } from "../auth/viewer.ts";
import { notifyConfig } from "../config/notify.ts";
import { db, SqlParams, sqlRows } from "../db/client.ts";
import { openChannel, sealChannelSecret, urlHint } from "../notify/channels.ts";
import { EVENT_KINDS, SEVERITIES, type NotifyItem } from "../notify/model.ts";
import { isValidTimeZone, parseHhmm } from "../notify/schedule.ts";
import { sendToChannel } from "../notify/send.ts";
import { newWebhookSecret } from "../notify/signature.ts";
import { checkTargetUrl, UrlRefusedError } from "../notify/ssrf.ts";
import { suppressionFor, type SuppressionShape } from "../notify/rules.ts";
import { failure, type Result } from "../result.ts";
import { writeAudit } from "./audit.ts";

/**
 * Notification settings (issue 10 §2): channels, rules, suppressions and the delivery log. Partner admins only
 * (`notifications:manage`); every read and write is scoped to the viewer's partner. Channel secrets are sealed
 * before they reach the database and never come back: the page shows a hint (host and last 4 characters), and a
 * webhook's signing secret is returned once, by the action that created it.
 */

export interface ChannelRow {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  recipients: string[];
  targetHint: string;
  createdAt: Date;
}

export async function listChannels(viewer: Viewer): Promise<ChannelRow[]> {
  assertCan(viewer, "notifications:manage");
  return db().notificationChannel.findMany({
    where: { partnerId: viewer.partnerId },
    orderBy: { name: "asc" },
    select: { id: true, name: true, kind: true, enabled: true, recipients: true, targetHint: true, createdAt: true },
  });
}

const name = z.string().trim().min(1, "Give it a name.").max(100, "At most 100 characters.");
const email = z.email("Not an e-mail address.");
const channelInput = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("email"),
    name,
    recipients: z
      .string()
      .transform((s) => s.split(/[\s,;]+/).filter(Boolean))
      .pipe(z.array(email).min(1, "Add at least one recipient.").max(20, "At most 20 recipients.")),
  }),
  z.object({ kind: z.literal("teams"), name, url: z.string().trim().min(1, "Paste the Workflows webhook URL.").max(2048) }),
  z.object({ kind: z.literal("webhook"), name, url: z.string().trim().min(1, "Enter the endpoint URL.").max(2048) }),
]);

function fieldFailure(err: z.ZodError): Result<never> {
  const fieldErrors: Record<string, string> = {};
  for (const i of err.issues) fieldErrors[String(i.path[0] ?? "form")] ??= i.message;
  return { ok: false, fieldErrors, formError: Object.values(fieldErrors)[0], code: "invalid" };
}

async function guardUrl(url: string): Promise<Result<never> | null> {
  try {
    await checkTargetUrl(url, notifyConfig().allowedPrivateOrigins);
    return null;
  } catch (err) {
    if (err instanceof UrlRefusedError) return { ok: false, fieldErrors: { url: err.message }, formError: err.message, code: "url_refused" };
    throw err;
  }
}

/** Creates a channel. A webhook's signing secret is in the result, this once; it is never shown again. */
export async function createChannel(viewer: Viewer, input: Record<string, unknown>): Promise<Result<{ id: string; signingSecret?: string }>> {
  assertCan(viewer, "notifications:manage");
  const parsed = channelInput.safeParse(input);
  if (!parsed.success) return fieldFailure(parsed.error);
  const v = parsed.data;
  const id = randomUUID();
  let secretSealed: string | null = null;
  let targetHint = "";
  let signingSecret: string | undefined;
  if (v.kind === "email") {
    targetHint = `${v.recipients.length} recipient${v.recipients.length === 1 ? "" : "s"}`;
  } else {
    const refused = await guardUrl(v.url);
    if (refused) return refused;
    if (v.kind === "webhook") signingSecret = newWebhookSecret();
    secretSealed = sealChannelSecret(notifyConfig().encryptionKey, id, { url: v.url, ...(signingSecret ? { hmacSecret: signingSecret } : {}) });
    targetHint = urlHint(v.url);
  }
  const exists = await db().notificationChannel.findFirst({ where: { partnerId: viewer.partnerId, name: v.name }, select: { id: true } });
  if (exists) return { ok: false, fieldErrors: { name: "A channel of that name exists." }, formError: "A channel of that name exists.", code: "duplicate" };
  await db().$transaction(async (tx) => {
    await tx.notificationChannel.create({
      data: {
        id,
        partnerId: viewer.partnerId,
        name: v.name,
        kind: v.kind,
        recipients: v.kind === "email" ? v.recipients : [],
        secretSealed,
        targetHint,
        createdById: viewer.userId,
      },
    });
    // No URL, no secret: the kind and name say what changed.
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "notification.channel.created", detail: { channelId: id, name: v.name, kind: v.kind } });
  });
  return {
    ok: true,
    message: signingSecret ? `Channel “${v.name}” created. Copy its signing secret now: it is shown only this once.` : `Channel “${v.name}” created.`,
    value: { id, ...(signingSecret ? { signingSecret } : {}) },
  };
}

const idInput = z.string().uuid();

export async function deleteChannel(viewer: Viewer, channelId: unknown): Promise<Result> {
  assertCan(viewer, "notifications:manage");
  const id = idInput.safeParse(channelId);
  if (!id.success) return failure("Choose a channel from the list.", "invalid");
  return db().$transaction(async (tx): Promise<Result> => {
    const gone = await tx.notificationChannel.deleteMany({ where: { id: id.data, partnerId: viewer.partnerId } });
    if (gone.count === 0) return failure("That channel does not exist.", "not_found");
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "notification.channel.deleted", detail: { channelId: id.data } });
    return { ok: true, message: "Channel deleted." };
  });
}

/** Pauses or resumes a channel: a paused channel gets nothing new, and what was queued for it fails, saying why. */
export async function setChannelEnabled(viewer: Viewer, channelId: unknown, enabled: boolean): Promise<Result> {
  assertCan(viewer, "notifications:manage");
  const id = idInput.safeParse(channelId);
  if (!id.success) return failure("Choose a channel from the list.", "invalid");
  return db().$transaction(async (tx): Promise<Result> => {
    const r = await tx.notificationChannel.updateMany({ where: { id: id.data, partnerId: viewer.partnerId }, data: { enabled } });
    if (r.count === 0) return failure("That channel does not exist.", "not_found");
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: enabled ? "notification.channel.enabled" : "notification.channel.disabled",
      detail: { channelId: id.data },
    });
    return { ok: true, message: enabled ? "Channel resumed." : "Channel paused." };
  });
}

/** Sends a test message now (not queued) and says what the receiver answered. */
export async function testChannel(viewer: Viewer, channelId: unknown): Promise<Result<{ status: number | null; latencyMs: number }>> {
  assertCan(viewer, "notifications:manage");
  const id = idInput.safeParse(channelId);
  if (!id.success) return failure("Choose a channel from the list.", "invalid");
  const row = await db().notificationChannel.findFirst({ where: { id: id.data, partnerId: viewer.partnerId } });
  if (!row) return failure("That channel does not exist.", "not_found");
  const cfg = notifyConfig();
  const item: NotifyItem = {
    kind: "test",
    occurredAt: new Date(),
    customer: { id: randomUUID(), name: "Test customer" },
    incident: null,
    detail: {},
  };
  const deliveryId = randomUUID();
  const outcome = await sendToChannel(openChannel(cfg.encryptionKey, row), [item], deliveryId, "test", { config: cfg });
  await db().$transaction((tx) =>
    writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "notification.channel.tested",
      detail: { channelId: row.id, ok: outcome.ok, status: outcome.status, latencyMs: outcome.latencyMs },
    }),
  );
  if (!outcome.ok) return failure(`The test was not delivered: ${outcome.error ?? "no answer"}.`, "send_failed");
  return {
    ok: true,
    message: `Delivered (${outcome.status}, ${outcome.latencyMs} ms).`,
    value: { status: outcome.status, latencyMs: outcome.latencyMs },
  };
}

// --- Rules ---------------------------------------------------------------------------------------------------

export interface RuleRow {
  id: string;
  name: string;
  enabled: boolean;
  kinds: string[];
  minSeverity: string;
  scope: string;
  customerIds: string[];
  groupIds: string[];
  channelIds: string[];
  unassignedMinutes: number | null;
  syncFailingMinutes: number | null;
  quietStart: string | null;
  quietEnd: string | null;
  timeZone: string;
  digestMinutes: number | null;
}

const ruleSelect = {
  id: true,
  name: true,
  enabled: true,
  kinds: true,
  minSeverity: true,
  scope: true,
  customerIds: true,
  groupIds: true,
  channelIds: true,
  unassignedMinutes: true,
  syncFailingMinutes: true,
  quietStart: true,
  quietEnd: true,
  timeZone: true,
  digestMinutes: true,
} as const;

export async function listRules(viewer: Viewer): Promise<RuleRow[]> {
  assertCan(viewer, "notifications:manage");
  return db().notificationRule.findMany({
    where: { partnerId: viewer.partnerId },
    orderBy: { name: "asc" },
    select: ruleSelect,
  });
}

const optionalMinutes = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() ? Number(s) : null))
  .pipe(z.number().int("Whole minutes.").min(1, "At least 1 minute.").max(10_080, "At most a week.").nullable());
const hhmm = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() ? s.trim() : null))
  .refine((s) => s === null || parseHhmm(s) !== null, "Use HH:MM (24 h).");

export const ruleInput = z
  .object({
    name,
    kinds: z.array(z.enum(EVENT_KINDS)).min(1, "Choose at least one event."),
    minSeverity: z.enum(SEVERITIES).default("informational"),
    scope: z.enum(["all", "customers", "groups"]).default("all"),
    customerIds: z.array(z.string().uuid()).max(1000).default([]),
    groupIds: z.array(z.string().uuid()).max(200).default([]),
    channelIds: z.array(z.string().uuid()).min(1, "Choose at least one channel.").max(20),
    unassignedMinutes: optionalMinutes,
    syncFailingMinutes: optionalMinutes,
    quietStart: hhmm,
    quietEnd: hhmm,
    timeZone: z
      .string()
      .trim()
      .default("UTC")
      .refine((tz) => isValidTimeZone(tz), "Not a time zone (e.g. Europe/Amsterdam)."),
    digestMinutes: optionalMinutes,
  })
  .superRefine((v, ctx) => {
    if (v.kinds.includes("incident.unassigned") && !v.unassignedMinutes)
      ctx.addIssue({ code: "custom", path: ["unassignedMinutes"], message: "Say after how many minutes unassigned." });
    if (v.kinds.includes("customer.sync_failing") && !v.syncFailingMinutes)
      ctx.addIssue({ code: "custom", path: ["syncFailingMinutes"], message: "Say after how many minutes of failing sync." });
    if (Boolean(v.quietStart) !== Boolean(v.quietEnd)) ctx.addIssue({ code: "custom", path: ["quietEnd"], message: "Quiet hours need a start and an end." });
    if (v.scope === "customers" && !v.customerIds.length) ctx.addIssue({ code: "custom", path: ["customerIds"], message: "Choose at least one customer." });
    if (v.scope === "groups" && !v.groupIds.length) ctx.addIssue({ code: "custom", path: ["groupIds"], message: "Choose at least one group." });
  });

/** Ids the viewer's partner owns, of those given (a rule cannot point at another partner's customer or channel). */
async function ownedIds(viewer: Viewer, v: { customerIds: string[]; groupIds: string[]; channelIds: string[] }) {
  const [customers, groups, channels] = await Promise.all([
    db().customer.findMany({ where: { partnerId: viewer.partnerId, id: { in: v.customerIds } }, select: { id: true } }),
    db().customerGroup.findMany({ where: { partnerId: viewer.partnerId, id: { in: v.groupIds } }, select: { id: true } }),
    db().notificationChannel.findMany({ where: { partnerId: viewer.partnerId, id: { in: v.channelIds } }, select: { id: true } }),
  ]);
  return { customers: customers.map((c) => c.id), groups: groups.map((g) => g.id), channels: channels.map((c) => c.id) };
}

export async function createRule(viewer: Viewer, input: Record<string, unknown>): Promise<Result<{ id: string }>> {
  assertCan(viewer, "notifications:manage");
  const parsed = ruleInput.safeParse(input);
  if (!parsed.success) return fieldFailure(parsed.error);
  const v = parsed.data;
  const owned = await ownedIds(viewer, v);
  if (owned.channels.length !== v.channelIds.length || owned.customers.length !== v.customerIds.length || owned.groups.length !== v.groupIds.length)
    return failure("A chosen channel, customer or group does not exist.", "not_found");
  if (await db().notificationRule.findFirst({ where: { partnerId: viewer.partnerId, name: v.name }, select: { id: true } }))
    return { ok: false, fieldErrors: { name: "A rule of that name exists." }, formError: "A rule of that name exists.", code: "duplicate" };
  const id = randomUUID();
  const data = {
    ...v,
    customerIds: v.scope === "customers" ? owned.customers : [],
    groupIds: v.scope === "groups" ? owned.groups : [],
    channelIds: owned.channels,
  };
  await db().$transaction(async (tx) => {
    await tx.notificationRule.create({ data: { id, partnerId: viewer.partnerId, createdById: viewer.userId, ...data } });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "notification.rule.created", detail: { ruleId: id, ...data } });
  });
  return { ok: true, message: `Rule “${v.name}” created.`, value: { id } };
}

/**
 * Changes a rule's fields (the same validation as createRule); its paused/enabled state stays. Deliveries already
 * created keep their rule id and what they were queued with: the change applies to events dispatched afterwards.
 */
export async function updateRule(viewer: Viewer, ruleId: unknown, input: Record<string, unknown>): Promise<Result<{ id: string }>> {
  assertCan(viewer, "notifications:manage");
  const id = idInput.safeParse(ruleId);
  if (!id.success) return failure("Choose a rule from the list.", "invalid");
  // The rule is looked up within the viewer's partner first: another partner's rule id is simply not found.
  const before = await db().notificationRule.findFirst({ where: { id: id.data, partnerId: viewer.partnerId }, select: ruleSelect });
  if (!before) return failure("That rule does not exist.", "not_found");
  const parsed = ruleInput.safeParse(input);
  if (!parsed.success) return fieldFailure(parsed.error);
  const v = parsed.data;
  const owned = await ownedIds(viewer, v);
  if (owned.channels.length !== v.channelIds.length || owned.customers.length !== v.customerIds.length || owned.groups.length !== v.groupIds.length)
    return failure("A chosen channel, customer or group does not exist.", "not_found");
  if (await db().notificationRule.findFirst({ where: { partnerId: viewer.partnerId, name: v.name, id: { not: id.data } }, select: { id: true } }))
    return { ok: false, fieldErrors: { name: "A rule of that name exists." }, formError: "A rule of that name exists.", code: "duplicate" };
  const data = {
    ...v,
    customerIds: v.scope === "customers" ? owned.customers : [],
    groupIds: v.scope === "groups" ? owned.groups : [],
    channelIds: owned.channels,
  };
  const changed = (Object.keys(data) as (keyof typeof data)[]).filter((k) => JSON.stringify(data[k]) !== JSON.stringify(before[k]));
  return db().$transaction(async (tx): Promise<Result<{ id: string }>> => {
    const r = await tx.notificationRule.updateMany({ where: { id: id.data, partnerId: viewer.partnerId }, data });
    if (r.count === 0) return failure("That rule does not exist.", "not_found");
    // Rules hold no secrets (channels are referenced by id), so the new values are audited as they are.
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "notification.rule.updated", detail: { ruleId: id.data, changed, ...data } });
    return {
      ok: true,
      message: changed.length ? `Rule “${v.name}” saved. It applies to events from now on.` : `Rule “${v.name}” saved (nothing changed).`,
      value: { id: id.data },
    };
  });
}

export async function setRuleEnabled(viewer: Viewer, ruleId: unknown, enabled: boolean): Promise<Result> {
  assertCan(viewer, "notifications:manage");
  const id = idInput.safeParse(ruleId);
  if (!id.success) return failure("Choose a rule from the list.", "invalid");
  return db().$transaction(async (tx): Promise<Result> => {
    const r = await tx.notificationRule.updateMany({ where: { id: id.data, partnerId: viewer.partnerId }, data: { enabled } });
    if (r.count === 0) return failure("That rule does not exist.", "not_found");
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: enabled ? "notification.rule.enabled" : "notification.rule.disabled",
      detail: { ruleId: id.data },
    });
    return { ok: true, message: enabled ? "Rule enabled." : "Rule paused." };
  });
}

export async function deleteRule(viewer: Viewer, ruleId: unknown): Promise<Result> {
  assertCan(viewer, "notifications:manage");
  const id = idInput.safeParse(ruleId);
  if (!id.success) return failure("Choose a rule from the list.", "invalid");
  return db().$transaction(async (tx): Promise<Result> => {
    const r = await tx.notificationRule.deleteMany({ where: { id: id.data, partnerId: viewer.partnerId } });
    if (r.count === 0) return failure("That rule does not exist.", "not_found");
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "notification.rule.deleted", detail: { ruleId: id.data } });
    return { ok: true, message: "Rule deleted." };
  });
}

// --- Suppressions ---------------------------------------------------------------------------------------------

const suppressionInput = z.object({
  customerIds: z.array(z.string().uuid()).max(1000).default([]),
  groupIds: z.array(z.string().uuid()).max(200).default([]),
  titleContains: z
    .string()
    .trim()
    .max(200, "At most 200 characters.")
    .optional()
    .transform((s) => s || null),
  until: z
    .string()
    .min(1, "Until when?")
    .transform((s) => new Date(/Z|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`))
    .refine((d) => !Number.isNaN(d.getTime()), "Not a date."),
  reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
});

export async function createSuppression(viewer: Viewer, input: Record<string, unknown>, now = new Date()): Promise<Result<{ id: string }>> {
  assertCan(viewer, "notifications:manage");
  const parsed = suppressionInput.safeParse(input);
  if (!parsed.success) return fieldFailure(parsed.error);
  const v = parsed.data;
  if (v.until <= now) return { ok: false, fieldErrors: { until: "Choose a time in the future." }, formError: "Choose a time in the future.", code: "invalid" };
  const owned = await ownedIds(viewer, { ...v, channelIds: [] });
  if (owned.customers.length !== v.customerIds.length || owned.groups.length !== v.groupIds.length)
    return failure("A chosen customer or group does not exist.", "not_found");
  const id = randomUUID();
  await db().$transaction(async (tx) => {
    await tx.notificationSuppression.create({
      data: { id, partnerId: viewer.partnerId, ...v, createdById: viewer.userId, createdByName: viewer.name },
    });
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "notification.suppression.created",
      detail: { suppressionId: id, ...v, until: v.until.toISOString() },
    });
  });
  return { ok: true, message: "Suppression created.", value: { id } };
}

export async function endSuppression(viewer: Viewer, suppressionId: unknown, now = new Date()): Promise<Result> {
  assertCan(viewer, "notifications:manage");
  const id = idInput.safeParse(suppressionId);
  if (!id.success) return failure("Choose a suppression from the list.", "invalid");
  return db().$transaction(async (tx): Promise<Result> => {
    const r = await tx.notificationSuppression.updateMany({ where: { id: id.data, partnerId: viewer.partnerId, endedAt: null }, data: { endedAt: now } });
    if (r.count === 0) return failure("That suppression does not exist or has ended.", "not_found");
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "notification.suppression.ended", detail: { suppressionId: id.data } });
    return { ok: true, message: "Suppression ended." };
  });
}

export async function listSuppressions(viewer: Viewer, now = new Date()) {
  assertCan(viewer, "notifications:manage");
  return db().notificationSuppression.findMany({
    where: { partnerId: viewer.partnerId, OR: [{ endedAt: null, until: { gt: now } }, { createdAt: { gt: new Date(now.getTime() - 30 * 86_400_000) } }] },
    orderBy: { createdAt: "desc" },
    take: 200,
    select: {
      id: true,
      customerIds: true,
      groupIds: true,
      titleContains: true,
      until: true,
      reason: true,
      createdByName: true,
      createdAt: true,
      endedAt: true,
    },
  });
}

/** The suppressions in force for a partner and the members of the groups they name: what marks a queue's incidents. */
export interface ActiveSuppressions {
  rows: (SuppressionShape & { reason: string; createdByName: string })[];
  members: { groupId: string; customerId: string }[];
  now: Date;
}

/**
 * The statements behind ActiveSuppressions, for activeSuppressions below and lib/data/queue-frame.ts: the suppressions
 * (unordered: each caller orders by "createdAt"), and the members of their groups. Plain SQL: every queue page asks
 * (lib/db/client.ts sqlRows, issue #12 §1).
 */
export function activeSuppressionsSql(partnerId: string, now: Date, p: SqlParams): { suppressions: string; members: string } {
  const suppressions = `SELECT id, "customerIds", "groupIds", "titleContains", until, "endedAt", reason, "createdByName", "createdAt"
      FROM "NotificationSuppression" WHERE "partnerId" = ${p.add(partnerId)}::uuid AND "endedAt" IS NULL AND until > ${p.add(now)}`;
  return {
    suppressions,
    members: `SELECT m."groupId", m."customerId" FROM "CustomerGroupMember" m WHERE m."groupId" IN (SELECT unnest(s."groupIds") FROM (${suppressions}) s)`,
  };
}

/**
 * Active suppressions with their customers' groups expanded, once per request: the queue marks matching incidents
 * "suppressed by …". Any viewer who can read incidents sees the mark on incidents they can already see.
 */
const activeSuppressions = cache(async (partnerId: string): Promise<ActiveSuppressions> => {
  const now = new Date();
  const p = new SqlParams();
  const sql = activeSuppressionsSql(partnerId, now, p);
  const rows = await sqlRows<ActiveSuppressions["rows"][number]>(`${sql.suppressions} ORDER BY "createdAt" ASC`, p.values);
  const members = rows.some((r) => r.groupIds.length) ? await sqlRows<ActiveSuppressions["members"][number]>(sql.members, p.values) : [];
  return { rows, members, now };
});

export async function suppressionOf(viewer: Viewer, incident: { customerId: string; title: string }): Promise<SuppressionMark | null> {
  assertCan(viewer, "incidents:read");
  return suppressionMark(await activeSuppressions(viewer.partnerId), incident);
}

export interface SuppressionMark {
  by: string;
  reason: string;
  until: Date;
}

/** The suppression that covers an incident, if any, as the queue shows it. */
export function suppressionMark(active: ActiveSuppressions, incident: { customerId: string; title: string }): SuppressionMark | null {
  if (!active.rows.length) return null;
  const groups = new Set<string>();
  for (const m of active.members) if (m.customerId === incident.customerId) groups.add(m.groupId);
  const s = suppressionFor(active.rows, { customerId: incident.customerId, groupIds: groups, title: incident.title }, active.now);
  return s ? { by: s.createdByName, reason: s.reason, until: s.until } : null;
}

// --- Delivery log and form options ---------------------------------------------------------------------------

export async function deliveryLog(viewer: Viewer, ruleId: string | null, limit = 100) {
  assertCan(viewer, "notifications:manage");
  const where = { partnerId: viewer.partnerId, ...(ruleId && idInput.safeParse(ruleId).success ? { ruleId } : {}) };
  const [rows, counts] = await Promise.all([
    db().notificationDelivery.findMany({
      where,
      orderBy: { createdAt: "desc" },
      take: limit,
      select: {
        id: true,
        ruleId: true,
        channelId: true,
        eventKind: true,
        customerId: true,
        incidentId: true,
        status: true,
        heldReason: true,
        attempts: true,
        lastStatusCode: true,
        latencyMs: true,
        lastError: true,
        nextAttemptAt: true,
        createdAt: true,
        deliveredAt: true,
      },
    }),
    db().notificationDelivery.groupBy({ by: ["status"], where, _count: { _all: true } }),
  ]);
  const customers = await db().customer.findMany({
    where: { partnerId: viewer.partnerId, id: { in: [...new Set(rows.map((r) => r.customerId))] } },
    select: { id: true, displayName: true },
  });
  const names = new Map(customers.map((c) => [c.id, c.displayName]));
  return {
    rows: rows.map((r) => ({ ...r, customerName: names.get(r.customerId) ?? "—" })),
    counts: Object.fromEntries(counts.map((c) => [c.status, c._count._all])) as Record<string, number>,
  };
}

export async function notificationFormOptions(viewer: Viewer) {
  assertCan(viewer, "notifications:manage");
  const [customers, groups] = await Promise.all([
    db().customer.findMany({ where: { partnerId: viewer.partnerId }, orderBy: { displayName: "asc" }, take: 2000, select: { id: true, displayName: true } }),
    db().customerGroup.findMany({ where: { partnerId: viewer.partnerId }, orderBy: { name: "asc" }, take: 500, select: { id: true, name: true } }),
  ]);
  const cfg = notifyConfig();
  return {
    customers,
    groups,
    smtpConfigured: Boolean(cfg.smtp),
    encryptionConfigured: Boolean(cfg.encryptionKey),
    demoInboxUrl: cfg.demoInboxUrl,
    maxAttempts: cfg.maxAttempts,
  };
}
