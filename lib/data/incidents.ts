import { assertCan, can, type Viewer } from "../auth/viewer.ts";
import { db, SqlParams, sqlRows } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import { apiClient } from "../microsoft/clients.ts";
import { regionOf } from "../microsoft/hosts.ts";
import type { AlertDetail, IncidentDetail } from "../sync/model.ts";
import { fetchIncident } from "../sync/sources.ts";
import { upsertIncidents } from "../sync/store.ts";
import { customerScopeSql, customerScopeWhere } from "./customers.ts";
import { canTriageCustomer } from "./triage.ts";
import { likeLiteral } from "./like.ts";
import { PAGE_SIZE, RANGES, type AlertFilters, type IncidentFilters } from "./filters.ts";
import { GUID_RE } from "../shared/ids.ts";

// The queues' statements are plain SQL on the pool under Prisma (`sqlRows`): every queue page runs them, and through
// Prisma's client they cost about four times the CPU (fifty rows with their customers: 1.8 ms against 0.4 ms, issue
// #12 §1). Every value is a parameter; the only names spliced into the text come from the fixed maps below.

/** Filters common to incidents and alerts over `t` (the queue's table) and `c` (its customer): always inside the viewer's customers. */
function queueConditions(viewer: Viewer, f: IncidentFilters | AlertFilters, p: SqlParams): string[] {
  const and = customerScopeSql(viewer, p, f.group);
  if (f.customer.length) and.push(`t."customerId" = ANY(${p.add(f.customer)}::uuid[])`);
  if (f.severity.length) and.push(`t.severity = ANY(${p.add(f.severity)}::text[])`);
  if (f.status.length) and.push(`t.status = ANY(${p.add(f.status)}::text[])`);
  if (f.assigned === "unassigned") and.push(`t."assignedTo" IS NULL`);
  if (f.assigned === "assigned") and.push(`t."assignedTo" IS NOT NULL`);
  if (f.assigned === "me") and.push(`lower(t."assignedTo") = lower(${p.add(viewer.email)})`);
  const hours = RANGES[f.range];
  if (hours) and.push(`t."lastUpdateTime" >= ${p.add(new Date(Date.now() - hours * 3_600_000))}`);
  // A literal substring, as typed: LIKE's wildcards in it are escaped (the trigram index serves ILIKE '%…%').
  if (f.q) and.push(`t.title ILIKE ${p.add(`%${likeLiteral(f.q)}%`)}`);
  return and;
}

/** The queue's SLA filters over the stored next deadline (indexed): passed, or passing within the hour. */
function slaConditions(f: IncidentFilters, p: SqlParams, now = new Date()): string[] {
  if (f.sla === "breached") return [`t."slaNextDueAt" <= ${p.add(now)}`];
  if (f.sla === "breaching") return [`t."slaNextDueAt" > ${p.add(now)}`, `t."slaNextDueAt" <= ${p.add(new Date(now.getTime() + 3_600_000))}`];
  return [];
}

const SORT_COLUMNS = { lastUpdateTime: `t."lastUpdateTime"`, createdTime: `t."createdTime"`, title: "t.title", slaNextDueAt: `t."slaNextDueAt"` } as const;

function orderBySql(f: IncidentFilters | AlertFilters): string {
  const dir = f.dir === "asc" ? "ASC" : "DESC";
  // Time left: incidents with no running SLA clock (met, or no deadline) come last either way.
  const nulls = f.sort === "slaNextDueAt" ? " NULLS LAST" : "";
  return `ORDER BY ${SORT_COLUMNS[f.sort]} ${dir}${nulls}, t.id ASC`;
}

/**
 * Counting stops here and the queue says "10,000+": an exact count of every incident across a thousand customers
 * costs more than the page itself, and no analyst pages that far (the filters narrow it).
 */
export const COUNT_CAP = 10_000;

/** The most rows one export holds: what the count can tell apart, so `totalCapped` is also "the file was cut". */
export const EXPORT_LIMIT = COUNT_CAP;

interface QueueRowBase {
  id: string;
  title: string;
  severity: string;
  status: string;
  assignedTo: string | null;
  lastUpdateTime: Date;
  createdTime: Date;
  sourceId: string;
  customer: { id: string; displayName: string };
}

export interface IncidentQueueRow extends QueueRowBase {
  alertCount: number;
  classification: string | null;
  determination: string | null;
  webUrl: string | null;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  slaAckDueAt: Date | null;
  slaResolveDueAt: Date | null;
  slaNextDueAt: Date | null;
}

export interface AlertQueueRow extends QueueRowBase {
  category: string | null;
  serviceSource: string | null;
  detectionSource: string | null;
  incidentId: string | null;
}

const INCIDENT_COLUMNS = `t.id, t.title, t.severity, t.status, t."alertCount", t."assignedTo", t.classification, t.determination,
  t."lastUpdateTime", t."createdTime", t."sourceId", t."webUrl", t."acknowledgedAt", t."resolvedAt", t."slaAckDueAt",
  t."slaResolveDueAt", t."slaNextDueAt"`;
const ALERT_COLUMNS = `t.id, t.title, t.severity, t.status, t.category, t."serviceSource", t."detectionSource", t."assignedTo",
  t."lastUpdateTime", t."createdTime", t."incidentId", t."sourceId"`;

/**
 * One page of a queue and its capped count in one statement: the count is an uncorrelated subquery, which PostgreSQL
 * runs once (an InitPlan) and repeats on every row. Only a page with no rows needs a second statement for the count,
 * and only past page 1 (no rows on page 1 means none match). One statement less per page is about a millisecond of the
 * web process's CPU (docs/measurements.md, seventh pass).
 */
async function queuePage<Row extends QueueRowBase>(
  table: '"Incident"' | '"Alert"',
  columns: string,
  conditions: string[],
  p: SqlParams,
  f: IncidentFilters | AlertFilters,
  opts: { limit?: number },
) {
  const from = `FROM ${table} t JOIN "Customer" c ON c.id = t."customerId" WHERE ${conditions.join(" AND ")}`;
  const take = opts.limit ?? PAGE_SIZE;
  const skip = opts.limit ? 0 : (f.page - 1) * PAGE_SIZE;
  // The filters are $1…$k; the cap, the limit and the offset come after them.
  const k = p.values.length;
  const capped = (select: string) => `SELECT ${select} FROM (SELECT 1 ${from} LIMIT $${k + 1}) capped`;
  const rows = await sqlRows<Omit<Row, "customer"> & { customerId: string; customerName: string; matching: number }>(
    `SELECT ${columns}, c.id AS "customerId", c."displayName" AS "customerName", (${capped("count(*)::int")}) AS matching
      ${from} ${orderBySql(f)} LIMIT $${k + 2} OFFSET $${k + 3}`,
    [...p.values, COUNT_CAP + 1, take, skip],
  );
  const countAlone = async () => (await sqlRows<{ n: number }>(capped("count(*)::int AS n"), [...p.values, COUNT_CAP + 1]))[0]!.n;
  const n = rows.length ? rows[0]!.matching : skip === 0 ? 0 : await countAlone();
  return {
    total: Math.min(n, COUNT_CAP),
    totalCapped: n > COUNT_CAP,
    page: f.page,
    pageSize: PAGE_SIZE,
    rows: /*#__NOINLINE__*/ queueRows<Row>(rows),
  };
}

/** The joined customer columns as the row's `customer`. A loop, called `#__NOINLINE__`: components/ui/columns.ts says why. */
function queueRows<Row extends QueueRowBase>(rows: (Omit<Row, "customer"> & { customerId: string; customerName: string; matching: number })[]): Row[] {
  const out: Row[] = [];
  for (const { customerId, customerName, matching: _, ...row } of rows)
    out.push({ ...row, customer: { id: customerId, displayName: customerName } } as unknown as Row);
  return out;
}

export async function listIncidents(viewer: Viewer, f: IncidentFilters, opts: { limit?: number } = {}) {
  assertCan(viewer, "incidents:read");
  const p = new SqlParams();
  const conditions = [...queueConditions(viewer, f, p), ...slaConditions(f, p)];
  return queuePage<IncidentQueueRow>('"Incident"', INCIDENT_COLUMNS, conditions, p, f, opts);
}

export async function listAlerts(viewer: Viewer, f: AlertFilters, opts: { limit?: number } = {}) {
  assertCan(viewer, "incidents:read");
  const p = new SqlParams();
  return queuePage<AlertQueueRow>('"Alert"', ALERT_COLUMNS, queueConditions(viewer, f, p), p, f, opts);
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
