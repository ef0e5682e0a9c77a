import { assertCan, can, type Viewer } from "../auth/viewer.ts";
import { db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import { apiClient } from "../microsoft/clients.ts";
import { regionOf } from "../microsoft/hosts.ts";
import type { AlertDetail, IncidentDetail } from "../sync/model.ts";
import { fetchIncident } from "../sync/sources.ts";
import { upsertIncidents } from "../sync/store.ts";
import { customerScopeWhere } from "./customers.ts";
import { groupMemberWhere } from "./groups.ts";
import { canTriageCustomer } from "./triage.ts";
import { likeLiteral } from "./like.ts";
import { PAGE_SIZE, RANGES, type AlertFilters, type IncidentFilters } from "./filters.ts";
import { GUID_RE } from "../shared/ids.ts";

/** Filters common to incidents and alerts, always inside the viewer's customers. */
function queueWhere(viewer: Viewer, f: IncidentFilters | AlertFilters) {
  const and: Record<string, unknown>[] = [{ customer: customerScopeWhere(viewer) }];
  if (f.customer.length) and.push({ customerId: { in: f.customer } });
  if (f.group) and.push({ customer: groupMemberWhere(f.group) });
  if (f.severity.length) and.push({ severity: { in: f.severity } });
  if (f.status.length) and.push({ status: { in: f.status } });
  if (f.assigned === "unassigned") and.push({ assignedTo: null });
  if (f.assigned === "assigned") and.push({ assignedTo: { not: null } });
  if (f.assigned === "me") and.push({ assignedTo: { equals: viewer.email, mode: "insensitive" } });
  const hours = RANGES[f.range];
  if (hours) and.push({ lastUpdateTime: { gte: new Date(Date.now() - hours * 3_600_000) } });
  if (f.q) and.push({ title: { contains: likeLiteral(f.q), mode: "insensitive" } });
  return { AND: and };
}

function orderBy(f: IncidentFilters | AlertFilters) {
  // Time left: incidents with no running SLA clock (met, or no deadline) come last either way.
  if (f.sort === "slaNextDueAt") return [{ slaNextDueAt: { sort: f.dir, nulls: "last" as const } }, { id: "asc" as const }];
  return [{ [f.sort]: f.dir }, { id: "asc" as const }];
}

/** The queue's SLA filters over the stored next deadline (indexed): passed, or passing within the hour. */
function slaWhere(f: IncidentFilters, now = new Date()): Prisma.IncidentWhereInput[] {
  if (f.sla === "breached") return [{ slaNextDueAt: { lte: now } }];
  if (f.sla === "breaching") return [{ slaNextDueAt: { gt: now, lte: new Date(now.getTime() + 3_600_000) } }];
  return [];
}

const incidentRowSelect = {
  id: true,
  title: true,
  severity: true,
  status: true,
  alertCount: true,
  assignedTo: true,
  classification: true,
  determination: true,
  lastUpdateTime: true,
  createdTime: true,
  sourceId: true,
  webUrl: true,
  acknowledgedAt: true,
  resolvedAt: true,
  slaAckDueAt: true,
  slaResolveDueAt: true,
  slaNextDueAt: true,
  customer: { select: { id: true, displayName: true } },
} satisfies Prisma.IncidentSelect;

const alertRowSelect = {
  id: true,
  title: true,
  severity: true,
  status: true,
  category: true,
  serviceSource: true,
  detectionSource: true,
  assignedTo: true,
  lastUpdateTime: true,
  createdTime: true,
  incidentId: true,
  sourceId: true,
  customer: { select: { id: true, displayName: true } },
} satisfies Prisma.AlertSelect;

/**
 * Counting stops here and the queue says "10,000+": an exact count of every incident across a thousand customers
 * costs more than the page itself, and no analyst pages that far (the filters narrow it).
 */
export const COUNT_CAP = 10_000;

/** The most rows one export holds: what the count can tell apart, so `totalCapped` is also "the file was cut". */
export const EXPORT_LIMIT = COUNT_CAP;

async function cappedCount(count: (take: number) => Promise<number>) {
  const n = await count(COUNT_CAP + 1);
  return { total: Math.min(n, COUNT_CAP), totalCapped: n > COUNT_CAP };
}

export async function listIncidents(viewer: Viewer, f: IncidentFilters, opts: { limit?: number } = {}) {
  assertCan(viewer, "incidents:read");
  const where: Prisma.IncidentWhereInput = { AND: [queueWhere(viewer, f) as Prisma.IncidentWhereInput, ...slaWhere(f)] };
  const take = opts.limit ?? PAGE_SIZE;
  const [count, rows] = await Promise.all([
    cappedCount((take) => db().incident.count({ where, take })),
    db().incident.findMany({
      where,
      orderBy: orderBy(f) as Prisma.IncidentOrderByWithRelationInput[],
      skip: opts.limit ? 0 : (f.page - 1) * PAGE_SIZE,
      take,
      select: incidentRowSelect,
    }),
  ]);
  return { ...count, page: f.page, pageSize: PAGE_SIZE, rows };
}

export async function listAlerts(viewer: Viewer, f: AlertFilters, opts: { limit?: number } = {}) {
  assertCan(viewer, "incidents:read");
  const where = queueWhere(viewer, f) as Prisma.AlertWhereInput;
  const take = opts.limit ?? PAGE_SIZE;
  const [count, rows] = await Promise.all([
    cappedCount((take) => db().alert.count({ where, take })),
    db().alert.findMany({
      where,
      orderBy: orderBy(f) as Prisma.AlertOrderByWithRelationInput[],
      skip: opts.limit ? 0 : (f.page - 1) * PAGE_SIZE,
      take,
      select: alertRowSelect,
    }),
  ]);
  return { ...count, page: f.page, pageSize: PAGE_SIZE, rows };
}

/** The customers a filter names, with their names for the filter control (only those the viewer may see). */
export async function namedFilterCustomers(viewer: Viewer, ids: string[]) {
  assertCan(viewer, "incidents:read");
  if (ids.length === 0) return [];
  return db().customer.findMany({
    where: { AND: [customerScopeWhere(viewer), { id: { in: ids } }] },
    orderBy: { displayName: "asc" },
    select: { id: true, displayName: true },
  });
}

const incidentSelect = {
  id: true,
  source: true,
  sourceId: true,
  title: true,
  severity: true,
  status: true,
  classification: true,
  determination: true,
  assignedTo: true,
  tags: true,
  alertCount: true,
  createdTime: true,
  lastUpdateTime: true,
  webUrl: true,
  payload: true,
  syncedAt: true,
  customer: { select: { id: true, displayName: true, tenantId: true, region: true, grantedRoles: true, writeMode: true } },
  alerts: {
    orderBy: { createdTime: "asc" },
    select: {
      id: true,
      sourceId: true,
      title: true,
      severity: true,
      status: true,
      category: true,
      serviceSource: true,
      detectionSource: true,
      createdTime: true,
      lastUpdateTime: true,
      payload: true,
    },
  },
} satisfies Prisma.IncidentSelect;

/**
 * One incident the viewer may see. Opening it refreshes it from Microsoft with the customer's tenant-scoped token
 * and stores the fresh copy; when Microsoft cannot be reached the stored copy is shown with its age and the reason.
 */
export async function getIncidentDetail(viewer: Viewer, incidentId: string, opts: { refresh?: boolean; timeoutMs?: number } = {}) {
  assertCan(viewer, "incidents:read");
  if (!GUID_RE.test(incidentId)) return null;
  // The incident's customer is derived from the row and checked against the viewer, in one query.
  const where = { AND: [{ id: incidentId }, { customer: customerScopeWhere(viewer) }] };
  let row = await db().incident.findFirst({ where, select: incidentSelect });
  if (!row) return null;
  let refresh: { ok: true } | { ok: false; reason: string } | null = null;
  if (opts.refresh !== false && row.customer.tenantId) {
    try {
      const fetching = fetchIncident(
        apiClient(),
        { tenantId: row.customer.tenantId, region: regionOf(row.customer.region) },
        row.source as "defender" | "graph",
        row.sourceId,
      );
      // A person is waiting: after the bound the stored copy is shown (a late answer still lands for the next view).
      const fresh = opts.timeoutMs ? await withTimeout(fetching, opts.timeoutMs) : await fetching;
      if (fresh) {
        const customerId = row.customer.id;
        const source = row.source as "defender" | "graph";
        await db().$transaction((tx) => upsertIncidents(tx, customerId, source, [fresh], new Date(), { origin: "microsoft", announce: true }));
        row = (await db().incident.findFirst({ where, select: incidentSelect }))!;
        refresh = { ok: true };
      } else {
        refresh = { ok: false, reason: "Microsoft no longer returns this incident (it may have been merged or deleted)." };
      }
    } catch (err) {
      refresh = { ok: false, reason: (err as Error).message.slice(0, 300) };
    }
  }
  return {
    ...row,
    canTriage: can(viewer, "incidents:triage") && canTriageCustomer(row.customer),
    detail: row.payload as unknown as IncidentDetail,
    alerts: row.alerts.map((a) => ({ ...a, detail: a.payload as unknown as AlertDetail, payload: undefined })),
    payload: undefined,
    refresh,
  };
}

class RefreshTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RefreshTimeout(`Microsoft did not answer within ${Math.round(ms / 100) / 10} s`)), ms);
  });
  work.catch(() => {}); // a late failure after the bound is nobody's to handle
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export type IncidentDetailView = NonNullable<Awaited<ReturnType<typeof getIncidentDetail>>>;

export async function getAlertDetail(viewer: Viewer, alertId: string) {
  assertCan(viewer, "incidents:read");
  if (!GUID_RE.test(alertId)) return null;
  const row = await db().alert.findFirst({
    where: { AND: [{ id: alertId }, { customer: customerScopeWhere(viewer) }] },
    select: {
      id: true,
      sourceId: true,
      title: true,
      severity: true,
      status: true,
      category: true,
      serviceSource: true,
      detectionSource: true,
      classification: true,
      determination: true,
      assignedTo: true,
      createdTime: true,
      lastUpdateTime: true,
      payload: true,
      syncedAt: true,
      incident: { select: { id: true, title: true } },
      customer: { select: { id: true, displayName: true } },
    },
  });
  if (!row) return null;
  return { ...row, detail: row.payload as unknown as AlertDetail, payload: undefined };
}
