import { assertCan, type Viewer } from "../auth/viewer.ts";
import { serverConfig } from "../config/env.ts";
import { qualifiedRole } from "../config/permissions.ts";
import { db, SqlParams, sqlRows } from "../db/client.ts";
import { failure, type Result } from "../result.ts";
import type { CustomerStatus } from "../generated/prisma/client";
import { customerScopeSql, findVisibleCustomer } from "./customers.ts";

const OPEN_STATUSES = ["active", "inProgress"];
type Severity = "high" | "medium" | "low" | "informational" | "unknown";

export type SeverityCounts = Record<Severity, number>;
const emptyCounts = (): SeverityCounts => ({ high: 0, medium: 0, low: 0, informational: 0, unknown: 0 });

/** A customer's health: consent, permissions, licence, each feed's last sync in plain words, open incidents, trend. */
export async function getCustomerHealth(viewer: Viewer, customerId: string) {
  assertCan(viewer, "customers:read");
  const c = await findVisibleCustomer(viewer, customerId);
  if (!c) return null;
  const cfg = serverConfig();
  const [states, open, trendRows] = await Promise.all([
    db().syncState.findMany({ where: { customerId: c.id }, orderBy: { feed: "asc" } }),
    db().incident.groupBy({ by: ["severity"], where: { customerId: c.id, status: { in: OPEN_STATUSES } }, _count: { _all: true } }),
    db().$queryRaw<{ day: Date; created: bigint }[]>`
      SELECT date_trunc('day', "createdTime") AS day, count(*) AS created FROM "Incident"
      WHERE "customerId" = ${c.id}::uuid AND "createdTime" >= now() - interval '30 days'
      GROUP BY 1 ORDER BY 1`,
  ]);
  const openBySeverity = emptyCounts();
  for (const g of open) if (g.severity in openBySeverity) openBySeverity[g.severity as keyof SeverityCounts] = g._count._all;
  const trend = lastNDays(30).map((day) => ({ day, created: Number(trendRows.find((r) => r.day.toISOString().slice(0, 10) === day)?.created ?? 0) }));
  const noLicence = states.some((s) => s.lastErrorCode === "AADSTS500011") || c.statusReason?.includes("AADSTS500011") === true;
  return {
    customer: { id: c.id, displayName: c.displayName, status: c.status, statusReason: c.statusReason, tenantId: c.tenantId },
    permissions: cfg.requiredPermissions.map((p) => ({
      api: p.api,
      permission: p.permission,
      granted: c.grantedRoles.includes(qualifiedRole(p.resource, p.permission)),
    })),
    licence: noLicence ? "missing" : states.some((s) => s.lastSuccessAt) ? "ok" : "unknown",
    feeds: states.map((s) => ({
      feed: s.feed,
      source: s.source,
      running: s.running,
      progress: s.progress,
      lastSuccessAt: s.lastSuccessAt,
      lastErrorAt: s.lastErrorAt,
      lastError: s.lastError,
      lastErrorCode: s.lastErrorCode,
      rowsChanged: s.rowsChanged,
      apiCalls: s.apiCalls,
      nextRunAt: s.nextRunAt,
      failing: Boolean(s.lastErrorAt && (!s.lastSuccessAt || s.lastErrorAt > s.lastSuccessAt)),
    })),
    openBySeverity,
    trend,
  };
}

function lastNDays(n: number): string[] {
  const out: string[] = [];
  const today = new Date();
  for (let i = n - 1; i >= 0; i--) out.push(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i)).toISOString().slice(0, 10));
  return out;
}

/** "Refresh now": makes both feeds due immediately; a worker picks them up within seconds. */
export async function requestRefresh(viewer: Viewer, customerId: string): Promise<Result> {
  assertCan(viewer, "sync:refresh");
  const c = await findVisibleCustomer(viewer, customerId);
  if (!c) return failure("Customer not found.", "not_found");
  if (!c.tenantId) return failure("This customer has not consented yet: there is nothing to sync.", "not_consented");
  // Only a confirmed binding syncs: a tenant awaiting confirmation is not this customer's yet.
  if (c.status === "PENDING" || c.status === "AWAITING_CONFIRMATION")
    return failure("This customer's tenant is not consented and confirmed yet: there is nothing to sync.", "not_confirmed");
  const now = new Date();
  const source = serverConfig().dataSource;
  for (const feed of ["incidents", "alerts"]) {
    await db().syncState.upsert({
      where: { customerId_feed: { customerId: c.id, feed } },
      create: { customerId: c.id, feed, source, nextRunAt: now, progress: "Requested" },
      update: { nextRunAt: now, progress: "Requested" },
    });
  }
  return { ok: true, message: "Refresh requested: a worker picks it up within seconds." };
}

/** Customers per page of the overview's table: a thousand rows would be megabytes of HTML that nobody reads. */
export const OVERVIEW_PAGE_SIZE = 50;

/**
 * Overview: totals across the viewer's customers, the customers that need attention first, and one page of open
 * incidents by severity per customer (most urgent first).
 */
export async function getOverview(viewer: Viewer, opts: { page?: number; group?: string } = {}) {
  assertCan(viewer, "incidents:read");
  // Plain SQL (lib/db/client.ts sqlRows): the landing page reads every customer of the partner and their feeds, which
  // through Prisma's client cost tens of milliseconds of CPU at 1,000 customers (issue #12 §1). A group narrows the
  // viewer's customers (AND), never widens them.
  const p = new SqlParams();
  const scope = customerScopeSql(viewer, p, opts.group).join(" AND ");
  const [customers, feeds, grouped] = await Promise.all([
    sqlRows<{ id: string; displayName: string; status: CustomerStatus; statusReason: string | null; tenantId: string | null }>(
      `SELECT c.id, c."displayName", c.status::text AS status, c."statusReason", c."tenantId" FROM "Customer" c WHERE ${scope}`,
      p.values,
    ),
    sqlRows<{ customerId: string; feed: string; lastSuccessAt: Date | null; lastErrorAt: Date | null; lastError: string | null; lastErrorCode: string | null }>(
      `SELECT s."customerId", s.feed, s."lastSuccessAt", s."lastErrorAt", s."lastError", s."lastErrorCode"
         FROM "SyncState" s JOIN "Customer" c ON c.id = s."customerId" WHERE ${scope}`,
      p.values,
    ),
    sqlRows<{ customerId: string; severity: string; n: number }>(
      `SELECT t."customerId", t.severity, count(*)::int AS n FROM "Incident" t JOIN "Customer" c ON c.id = t."customerId"
        WHERE ${scope} AND t.status = ANY($${p.values.length + 1}::text[]) GROUP BY t."customerId", t.severity`,
      // The scope is $1…$k in all three (PostgreSQL refuses a value its text does not use); this one adds the statuses.
      [...p.values, OPEN_STATUSES],
    ),
  ]);
  const feedsOf = new Map<string, (typeof feeds)[number][]>();
  for (const f of feeds) {
    const list = feedsOf.get(f.customerId);
    if (list) list.push(f);
    else feedsOf.set(f.customerId, [f]);
  }
  const openByCustomer = new Map<string, SeverityCounts>();
  const totals = emptyCounts();
  for (const g of grouped) {
    if (!(g.severity in totals)) continue;
    const severity = g.severity as keyof SeverityCounts;
    const counts = openByCustomer.get(g.customerId) ?? emptyCounts();
    counts[severity] = g.n;
    openByCustomer.set(g.customerId, counts);
    totals[severity] += g.n;
  }
  const rows = customers.map((c) => {
    const syncStates = feedsOf.get(c.id) ?? [];
    const failing = syncStates.filter((s) => s.lastErrorAt && (!s.lastSuccessAt || s.lastErrorAt > s.lastSuccessAt));
    const neverSynced = c.tenantId && c.status === "CONSENTED" && !syncStates.some((s) => s.lastSuccessAt);
    const problem =
      c.status === "REVOKED" || c.status === "ERROR"
        ? (c.statusReason ?? `Consent status: ${c.status.toLowerCase()}`)
        : failing.length
          ? `${failing[0]!.feed} sync failing: ${failing[0]!.lastError ?? failing[0]!.lastErrorCode}`
          : c.status === "DECLINED"
            ? "The customer's admin declined consent: send a new consent link"
            : c.status === "AWAITING_CONFIRMATION"
              ? "A tenant consented for this customer: a partner admin must confirm it is the customer before anything syncs"
              : neverSynced
                ? "Not synced yet"
                : null;
    // Not a problem yet, and not healthy either: no data can come until the customer's admin consents.
    const waiting = !problem && c.status === "PENDING" ? "Awaiting consent" : null;
    return { id: c.id, displayName: c.displayName, status: c.status, open: openByCustomer.get(c.id) ?? emptyCounts(), problem, waiting };
  });
  // Attention first: broken tenants, then by open high, then medium.
  const needsAttention = rows.filter((r) => r.problem || r.open.high > 0);
  const attention = needsAttention
    .sort((a, b) => Number(Boolean(b.problem)) - Number(Boolean(a.problem)) || b.open.high - a.open.high || b.open.medium - a.open.medium)
    .slice(0, 10);
  rows.sort((a, b) => b.open.high - a.open.high || b.open.medium - a.open.medium || b.open.low - a.open.low || a.displayName.localeCompare(b.displayName));
  const pages = Math.max(1, Math.ceil(rows.length / OVERVIEW_PAGE_SIZE));
  const page = Math.min(Math.max(1, opts.page ?? 1), pages);
  return {
    rows: rows.slice((page - 1) * OVERVIEW_PAGE_SIZE, page * OVERVIEW_PAGE_SIZE),
    page,
    pageSize: OVERVIEW_PAGE_SIZE,
    attention,
    totals,
    summary: { customers: rows.length, needAttention: needsAttention.length, failing: rows.filter((r) => r.problem).length },
  };
}
