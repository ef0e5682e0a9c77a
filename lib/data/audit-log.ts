import { z } from "zod";
import { assertCan, type Viewer } from "../auth/viewer.ts";
import { db } from "../db/client.ts";
import { toCsv } from "../export/csv.ts";
import type { Prisma } from "../generated/prisma/client";
import { GUID_RE } from "../shared/ids.ts";
import { writeAudit } from "./audit.ts";
import { MAX_PAGE, pageParam } from "./filters.ts";

/**
 * The audit log page (issue #10 §6): admins filter AuditEntry by actor, customer, action and time, page through it,
 * and export it as CSV (formula-safe, and the export is itself audited). Audit rows carry no partner column: a row is
 * this partner's when its customer is, or when its actor is one of the partner's staff.
 */

const guid = z
  .string()
  .regex(GUID_RE)
  .transform((v) => v.toLowerCase())
  .optional()
  .catch(undefined);
// <input type="datetime-local"> sends "2026-12-01T10:00" (read as UTC, as the page says); a full ISO time works too.
const time = z
  .string()
  .trim()
  .max(40)
  .optional()
  .transform((v) => {
    if (!v) return undefined;
    const d = new Date(/(Z|[+-]\d{2}:\d{2})$/i.test(v) ? v : `${v}Z`);
    return Number.isNaN(d.getTime()) ? undefined : d;
  })
  .catch(undefined);

/** Actors that are not staff: the sync and scanners ("system"), a customer's administrator on the consent pages. */
export const OTHER_ACTORS = { system: "System", "customer-admin": "Customer admin" } as const;

export const auditQuery = z.object({
  actor: z
    .union([z.enum(Object.keys(OTHER_ACTORS) as [keyof typeof OTHER_ACTORS]), z.string().regex(GUID_RE)])
    .transform((v) => v.toLowerCase())
    .optional()
    .catch(undefined),
  customer: guid,
  action: z
    .string()
    .trim()
    .regex(/^[a-z0-9_.:-]{1,80}$/i)
    .optional()
    .catch(undefined),
  from: time,
  to: time,
  page: pageParam,
});
export type AuditQuery = z.infer<typeof auditQuery>;

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_EXPORT_LIMIT = 10_000;

/** searchParams (string | string[]) → the audit query; unknown or bad values fall back, never throw. */
export function parseAuditQuery(params: Record<string, string | string[] | undefined>): AuditQuery {
  const first = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  return auditQuery.parse(first);
}

/** The query as a URL query string (the page's links, the export link). */
export function auditQueryString(q: Partial<AuditQuery>, override: { page?: number } = {}): string {
  const p = new URLSearchParams();
  if (q.actor) p.set("actor", q.actor);
  if (q.customer) p.set("customer", q.customer);
  if (q.action) p.set("action", q.action);
  if (q.from) p.set("from", q.from.toISOString());
  if (q.to) p.set("to", q.to.toISOString());
  const page = override.page ?? q.page ?? 1;
  if (page > 1) p.set("page", String(Math.min(page, MAX_PAGE)));
  const s = p.toString();
  return s ? `?${s}` : "";
}

async function partnerUsers(viewer: Viewer) {
  return db().portalUser.findMany({
    where: { partnerId: viewer.partnerId },
    orderBy: { displayName: "asc" },
    select: { id: true, displayName: true, email: true },
  });
}

async function auditWhere(viewer: Viewer, q: AuditQuery, userIds: string[]): Promise<Prisma.AuditEntryWhereInput> {
  const and: Prisma.AuditEntryWhereInput[] = [{ OR: [{ customer: { partnerId: viewer.partnerId } }, { actor: { in: userIds.map((id) => `user:${id}`) } }] }];
  // A user id of another partner is not among userIds: the filter then matches nothing (not "every actor").
  if (q.actor && q.actor in OTHER_ACTORS) and.push({ actor: q.actor });
  else if (q.actor) and.push({ actor: userIds.includes(q.actor) ? `user:${q.actor}` : "user:none" });
  if (q.customer) and.push({ customerId: q.customer, customer: { partnerId: viewer.partnerId } });
  if (q.action) and.push({ action: q.action });
  if (q.from) and.push({ createdAt: { gte: q.from } });
  if (q.to) and.push({ createdAt: { lte: q.to } });
  return { AND: and };
}

/** Turns an audit row's detail into "key: value" words, short, for a person (the raw JSON stays in the database). */
export function readableDetail(detail: unknown, names: { users: Map<string, string>; groups: Map<string, string> }): string {
  if (!detail || typeof detail !== "object" || Array.isArray(detail)) return "";
  const parts: string[] = [];
  const show = (key: string, v: unknown): string => {
    if (v === null || v === undefined) return "—";
    if (typeof v === "string") {
      if ((key === "userId" || key === "analysts") && names.users.has(v)) return names.users.get(v)!;
      if ((key === "groupId" || key === "groups") && names.groups.has(v)) return names.groups.get(v)!;
      return v.length > 120 ? `${v.slice(0, 120)}…` : v;
    }
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (Array.isArray(v))
      return v.length
        ? v
            .slice(0, 10)
            .map((x) => show(key, x))
            .join(", ") + (v.length > 10 ? ` (+${v.length - 10})` : "")
        : "none";
    if (typeof v === "object") {
      const inner = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined && x !== null && !(Array.isArray(x) && x.length === 0))
        .map(([k, x]) => `${k}=${show(k, x)}`);
      return inner.length ? inner.join(" ") : "—";
    }
    return String(v);
  };
  const entries = detail as Record<string, unknown>;
  for (const [k, v] of Object.entries(entries)) {
    // "groupId" beside "group" (its name at the time): the name says it to a person; the id stays in the database.
    if (k.endsWith("Id") && typeof entries[k.slice(0, -2)] === "string") continue;
    parts.push(`${k}: ${show(k, v)}`);
  }
  return parts.join("; ").slice(0, 600);
}

async function loadRows(viewer: Viewer, q: AuditQuery, opts: { skip: number; take: number }) {
  const users = await partnerUsers(viewer);
  const where = await auditWhere(
    viewer,
    q,
    users.map((u) => u.id),
  );
  const [count, rows] = await Promise.all([
    db().auditEntry.count({ where, take: AUDIT_EXPORT_LIMIT + 1 }),
    db().auditEntry.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: opts.skip,
      take: opts.take,
      select: { id: true, actor: true, action: true, createdAt: true, detail: true, customer: { select: { id: true, displayName: true } } },
    }),
  ]);
  const groupIds = new Set<string>();
  for (const r of rows) {
    const d = r.detail as Record<string, unknown> | null;
    for (const v of [d?.groupId, ...(Array.isArray(d?.groups) ? d.groups : [])]) if (typeof v === "string" && GUID_RE.test(v)) groupIds.add(v);
  }
  const groups = groupIds.size
    ? await db().customerGroup.findMany({ where: { id: { in: [...groupIds] }, partnerId: viewer.partnerId }, select: { id: true, name: true } })
    : [];
  const names = { users: new Map(users.map((u) => [u.id, u.displayName])), groups: new Map(groups.map((g) => [g.id, g.name])) };
  const actorName = (actor: string) => {
    if (!actor.startsWith("user:"))
      return actor === "customer-admin" ? "Customer admin" : actor === "system" ? "System" : actor === "anonymous" ? "Anonymous" : actor;
    return names.users.get(actor.slice(5)) ?? "Unknown user";
  };
  return {
    users,
    total: Math.min(count, AUDIT_EXPORT_LIMIT),
    totalCapped: count > AUDIT_EXPORT_LIMIT,
    rows: rows.map((r) => ({
      id: r.id.toString(),
      createdAt: r.createdAt,
      actor: actorName(r.actor),
      action: r.action,
      customer: r.customer,
      detail: readableDetail(r.detail, names),
    })),
  };
}

/** One page of the audit log, the filter choices (staff, actions present) and the names of the filtered customer. */
export async function listAudit(viewer: Viewer, q: AuditQuery) {
  assertCan(viewer, "audit:read");
  const [page, actions, customer] = await Promise.all([
    loadRows(viewer, q, { skip: (q.page - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE }),
    auditActions(viewer),
    q.customer ? db().customer.findFirst({ where: { id: q.customer, partnerId: viewer.partnerId }, select: { id: true, displayName: true } }) : null,
  ]);
  return {
    rows: page.rows,
    total: page.total,
    totalCapped: page.totalCapped,
    page: q.page,
    pageSize: AUDIT_PAGE_SIZE,
    actors: page.users.map((u) => ({ id: u.id, name: u.displayName, email: u.email })),
    actions,
    customer,
  };
}

/** The actions present in this partner's audit log (the action filter's choices). */
async function auditActions(viewer: Viewer): Promise<string[]> {
  const users = await partnerUsers(viewer);
  const rows = await db().auditEntry.groupBy({
    by: ["action"],
    where: { OR: [{ customer: { partnerId: viewer.partnerId } }, { actor: { in: users.map((u) => `user:${u.id}`) } }] },
    orderBy: { action: "asc" },
  });
  return rows.map((r) => r.action);
}

/** The filtered audit log as CSV (up to AUDIT_EXPORT_LIMIT rows); the export is audited with its filters. */
export async function exportAudit(viewer: Viewer, q: AuditQuery) {
  assertCan(viewer, "audit:read");
  const { rows, totalCapped } = await loadRows(viewer, q, { skip: 0, take: AUDIT_EXPORT_LIMIT });
  const csv = toCsv(
    ["Time (UTC)", "Actor", "Action", "Customer", "Detail"],
    rows.map((r) => [r.createdAt, r.actor, r.action, r.customer?.displayName ?? null, r.detail]),
  );
  await writeAudit(db(), {
    actor: `user:${viewer.userId}`,
    action: "export.audit",
    detail: { rows: rows.length, truncated: totalCapped, filters: { ...q, page: undefined } },
  });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-");
  return { fileName: `audit-${stamp}.csv`, csv, total: rows.length, truncated: totalCapped };
}
