import { randomUUID } from "node:crypto";
import { assertCan, AccessDeniedError, type Viewer } from "../auth/viewer.ts";
import { huntConfig } from "../config/hunting.ts";
import { db } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client";
import { findStarterHunt, STARTER_HUNTS } from "../hunting/library.ts";
import type { HuntingColumn } from "../microsoft/hunting.ts";
import { failure, type Result } from "../result.ts";
import { GUID_RE } from "../shared/ids.ts";
import { csvRow } from "../export/csv.ts";
import { huntRunInput, savedHuntInput, HUNT_TIMESPANS } from "../validations/hunting.ts";
import { writeAudit } from "./audit.ts";
import { customerScopeWhere } from "./customers.ts";
import { fieldErrorsOf } from "./form-errors.ts";
import { groupMemberWhere } from "./groups.ts";

/**
 * Cross-tenant advanced hunting (issue 11 §1), scoped to the viewer: a run asks only customers the viewer may see
 * when it is made (lib/hunting/run.ts checks again when it runs); a run is its starter's own (their query history);
 * its stored rows are shown and exported only for customers the viewer may see *now*, so an analyst who loses a
 * customer loses its rows too. Rows are kept HUNT_RESULTS_RETENTION_DAYS, then deleted by the worker.
 */

export const RESULTS_PAGE_SIZE = 100;

function queryFieldErrors(error: Parameters<typeof fieldErrorsOf>[0]): Result<never> {
  const fieldErrors = fieldErrorsOf(error);
  return { ok: false, fieldErrors, formError: fieldErrors.form ?? "Check the highlighted fields." };
}

/** Starts a run: resolves the customers inside the viewer's scope, writes the run, its customers and an audit entry. */
export async function createHuntRun(viewer: Viewer, input: Record<string, unknown>): Promise<Result<{ id: string; customers: number }>> {
  assertCan(viewer, "hunting:run");
  const parsed = huntRunInput.safeParse(input);
  if (!parsed.success) return queryFieldErrors(parsed.error);
  const v = parsed.data;
  const scope = customerScopeWhere(viewer);
  const where: Prisma.CustomerWhereInput =
    v.scope === "group" ? { AND: [scope, groupMemberWhere(v.group!)] } : v.scope === "pick" ? { AND: [scope, { id: { in: v.customers } }] } : scope;
  const customers = await db().customer.findMany({ where, select: { id: true, displayName: true }, orderBy: { displayName: "asc" } });
  if (customers.length === 0)
    return failure(
      v.scope === "group"
        ? "That group has none of your customers."
        : v.scope === "pick"
          ? "None of the picked customers is one of yours."
          : "You have no customers to hunt in yet.",
      "no_customers",
    );
  const label =
    v.scope === "group"
      ? `Group: ${(await db().customerGroup.findFirst({ where: { id: v.group!, partnerId: viewer.partnerId }, select: { name: true } }))?.name ?? "unknown"}`
      : v.scope === "pick"
        ? `${customers.length} picked customer${customers.length === 1 ? "" : "s"}`
        : "All my customers";
  const cfg = huntConfig();
  const id = randomUUID();
  const now = new Date();
  await db().$transaction(async (tx) => {
    await tx.huntRun.create({
      data: {
        id,
        partnerId: viewer.partnerId,
        createdById: viewer.userId,
        query: v.query,
        timespan: v.timespan,
        selection: { kind: v.scope, ...(v.scope === "group" ? { groupId: v.group } : {}), label },
        total: customers.length,
        rowCap: cfg.maxRows,
        resultsExpireAt: new Date(now.getTime() + cfg.retentionDays * 86_400_000),
      },
    });
    await tx.huntTenantRun.createMany({ data: customers.map((c) => ({ runId: id, customerId: c.id, customerName: c.displayName })) });
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "hunt.started",
      detail: { runId: id, customers: customers.length, scope: label, timespan: v.timespan, query: v.query.slice(0, 2_000) },
    });
  });
  return { ok: true, message: `Hunting in ${customers.length} customer${customers.length === 1 ? "" : "s"}.`, value: { id, customers: customers.length } };
}

/** The run, if it is the viewer's own (anything else is "not found", never "forbidden": ids are not disclosed). */
async function ownRun(viewer: Viewer, runId: string) {
  if (!GUID_RE.test(runId)) return null;
  return db().huntRun.findFirst({ where: { id: runId, partnerId: viewer.partnerId, createdById: viewer.userId } });
}

/** SQL condition on a customer id column: only customers the viewer may see now. */
function scopeSql(viewer: Viewer, column: Prisma.Sql): Prisma.Sql {
  return viewer.customerScope === "all" ? Prisma.sql`TRUE` : Prisma.sql`${column} = ANY(${[...viewer.customerScope]}::uuid[])`;
}

function columnsOf(value: unknown): HuntingColumn[] {
  return Array.isArray(value) ? (value as HuntingColumn[]).filter((c) => c && typeof c.name === "string") : [];
}

/** A run with its per-customer progress (customers in the viewer's scope). */
export async function getHuntRun(viewer: Viewer, runId: string) {
  assertCan(viewer, "hunting:run");
  const run = await ownRun(viewer, runId);
  if (!run) return null;
  const tenants = await db().huntTenantRun.findMany({
    where: { runId, ...(viewer.customerScope === "all" ? {} : { customerId: { in: [...viewer.customerScope] } }) },
    orderBy: [{ customerName: "asc" }],
    select: { customerId: true, customerName: true, status: true, reason: true, message: true, rowCount: true, rowsCut: true, finishedAt: true },
  });
  const counts = { queued: 0, running: 0, done: 0, failed: 0, skipped: 0 };
  for (const t of tenants) counts[t.status as keyof typeof counts] += 1;
  const expired = run.resultsExpireAt.getTime() <= Date.now();
  return {
    id: run.id,
    query: run.query,
    timespan: run.timespan,
    timespanLabel: HUNT_TIMESPANS.find((t) => t.value === run.timespan)?.label ?? run.timespan,
    selectionLabel: (run.selection as { label?: string }).label ?? "",
    status: run.status,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    rowCap: run.rowCap,
    truncated: run.truncated,
    resultsExpireAt: run.resultsExpireAt,
    expired,
    columns: columnsOf(run.columns),
    tenants,
    counts,
    rowsKept: tenants.reduce((n, t) => n + t.rowCount, 0),
    rowsCut: tenants.reduce((n, t) => n + t.rowsCut, 0),
  };
}
export type HuntRunDetail = NonNullable<Awaited<ReturnType<typeof getHuntRun>>>;

export interface ResultsQuery {
  page: number;
  sort: string | null;
  dir: "asc" | "desc";
}

/** One page of a run's rows (customers in scope), sorted by a result column or by customer. */
export async function huntResultsPage(viewer: Viewer, run: HuntRunDetail, q: ResultsQuery) {
  if (run.expired) return { rows: [], total: 0, page: 1, pages: 1 };
  const sortColumn = q.sort && run.columns.some((c) => c.name === q.sort) ? q.sort : null;
  const dir = q.dir === "desc" ? Prisma.raw("DESC") : Prisma.raw("ASC");
  const scope = scopeSql(viewer, Prisma.sql`r."customerId"`);
  const counted = await db().$queryRaw<{ total: number }[]>`
    SELECT count(*)::int AS total FROM "HuntResultRow" r WHERE r."runId" = ${run.id}::uuid AND ${scope}`;
  const total = counted[0]?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / RESULTS_PAGE_SIZE));
  const page = Math.min(Math.max(1, q.page), pages);
  // jsonb orders numbers as numbers and strings as text: one ORDER BY serves every column type.
  const order = sortColumn
    ? Prisma.sql`(r."data" -> ${sortColumn}) ${dir} NULLS LAST, t."customerName", r."customerId", r."seq"`
    : Prisma.sql`t."customerName" ${dir}, r."customerId", r."seq"`;
  const rows = await db().$queryRaw<{ customerId: string; customerName: string; seq: number; data: Record<string, unknown> }[]>`
    SELECT r."customerId"::text AS "customerId", t."customerName", r."seq", r."data"
    FROM "HuntResultRow" r JOIN "HuntTenantRun" t ON t."runId" = r."runId" AND t."customerId" = r."customerId"
    WHERE r."runId" = ${run.id}::uuid AND ${scope}
    ORDER BY ${order}
    LIMIT ${RESULTS_PAGE_SIZE} OFFSET ${(page - 1) * RESULTS_PAGE_SIZE}`;
  return { rows, total, page, pages };
}

/** The viewer's recent runs (the query history). */
export async function listHuntHistory(viewer: Viewer, limit = 25) {
  assertCan(viewer, "hunting:run");
  return db().huntRun.findMany({
    where: { partnerId: viewer.partnerId, createdById: viewer.userId },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: { id: true, query: true, timespan: true, selection: true, status: true, total: true, rowCount: true, truncated: true, createdAt: true },
  });
}

/** Asks Microsoft again for the customers that failed (throttled, timed out…): a run's own, finished, not expired. */
export async function retryHuntCustomers(viewer: Viewer, runId: string): Promise<Result> {
  assertCan(viewer, "hunting:run");
  const run = await ownRun(viewer, runId);
  if (!run) return failure("That hunt was not found.", "not_found");
  if (run.status !== "finished") return failure("The hunt is still running: wait for it to finish.", "still_running");
  if (run.resultsExpireAt.getTime() <= Date.now()) return failure("This hunt's results have expired: run the query again.", "expired");
  const n = await db().$transaction(async (tx) => {
    const r = await tx.huntTenantRun.updateMany({
      where: { runId, status: "failed" },
      data: { status: "queued", reason: null, message: null, startedAt: null, finishedAt: null },
    });
    if (r.count > 0) {
      await tx.huntRun.update({ where: { id: runId }, data: { status: "queued", finishedAt: null } });
      await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "hunt.retried", detail: { runId, customers: r.count } });
    }
    return r.count;
  });
  if (n === 0) return failure("No customer of this hunt failed.", "nothing_to_retry");
  return { ok: true, message: `Asking ${n} customer${n === 1 ? "" : "s"} again.` };
}

/** A cell as text for CSV: dynamic values as JSON. */
function cellText(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "object") return JSON.stringify(value);
  return value as string | number | boolean;
}

/**
 * Every row of a run the viewer may see, as CSV (formula-safe) or JSON, produced in batches so a 100,000-row run is
 * never one string in memory. Audited before the first byte.
 */
export async function exportHuntResults(viewer: Viewer, runId: string, format: "csv" | "json") {
  const run = await getHuntRun(viewer, runId);
  if (!run) return null;
  if (run.expired) return { expired: true as const };
  await writeAudit(db(), { actor: `user:${viewer.userId}`, action: "hunt.exported", detail: { runId, format, rows: run.rowsKept } });
  const names = run.columns.map((c) => c.name);
  const scope = scopeSql(viewer, Prisma.sql`r."customerId"`);
  async function* batches() {
    let after: { customerName: string; customerId: string; seq: number } | null = null;
    for (;;) {
      const keyset: Prisma.Sql = after
        ? Prisma.sql`AND (t."customerName", r."customerId", r."seq") > (${after.customerName}, ${after.customerId}::uuid, ${after.seq})`
        : Prisma.empty;
      const rows: { customerId: string; customerName: string; seq: number; data: Record<string, unknown> }[] = await db().$queryRaw`
        SELECT r."customerId"::text AS "customerId", t."customerName", r."seq", r."data"
        FROM "HuntResultRow" r JOIN "HuntTenantRun" t ON t."runId" = r."runId" AND t."customerId" = r."customerId"
        WHERE r."runId" = ${run!.id}::uuid AND ${scope} ${keyset}
        ORDER BY t."customerName", r."customerId", r."seq"
        LIMIT 5000`;
      if (rows.length === 0) return;
      yield rows;
      const last = rows[rows.length - 1]!;
      after = { customerName: last.customerName, customerId: last.customerId, seq: last.seq };
    }
  }
  async function* csv() {
    yield "\uFEFF" + csvRow(["Customer", ...names]);
    for await (const rows of batches()) yield rows.map((r) => csvRow([r.customerName, ...names.map((n) => cellText(r.data[n]))])).join("");
  }
  async function* json() {
    yield `{"query":${JSON.stringify(run!.query)},"timespan":${JSON.stringify(run!.timespan)},"truncated":${run!.truncated},"columns":${JSON.stringify([{ name: "Customer", type: "String" }, ...run!.columns])},"rows":[`;
    let first = true;
    for await (const rows of batches()) {
      yield rows.map((r) => `${first ? ((first = false), "") : ","}${JSON.stringify({ Customer: r.customerName, ...r.data })}`).join("");
    }
    yield "]}";
  }
  return {
    expired: false as const,
    fileName: `hunt-${run.id.slice(0, 8)}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
    rows: run.rowsKept,
    truncated: run.truncated,
    chunks: format === "csv" ? csv() : json(),
  };
}

// ---------------------------------------------------------------------------------------------
// Saved queries and the starter library
// ---------------------------------------------------------------------------------------------

export async function listHuntQueries(viewer: Viewer) {
  assertCan(viewer, "hunting:run");
  const rows = await db().huntQuery.findMany({
    where: { partnerId: viewer.partnerId, OR: [{ ownerId: viewer.userId }, { shared: true }] },
    orderBy: { name: "asc" },
    select: { id: true, name: true, description: true, shared: true, ownerId: true, updatedAt: true },
  });
  return rows.map((r) => ({ ...r, mine: r.ownerId === viewer.userId, canEdit: r.ownerId === viewer.userId || (r.shared && viewer.role === "ADMIN") }));
}

async function editableQuery(viewer: Viewer, id: string) {
  if (!GUID_RE.test(id)) return null;
  const q = await db().huntQuery.findFirst({ where: { id, partnerId: viewer.partnerId, OR: [{ ownerId: viewer.userId }, { shared: true }] } });
  if (!q) return null;
  if (q.ownerId !== viewer.userId && !(q.shared && viewer.role === "ADMIN"))
    throw new AccessDeniedError("Only its owner or a partner admin may change a shared query.");
  return q;
}

export async function saveHuntQuery(viewer: Viewer, input: Record<string, unknown>, id?: string): Promise<Result<{ id: string }>> {
  assertCan(viewer, "hunting:run");
  const parsed = savedHuntInput.safeParse(input);
  if (!parsed.success) return queryFieldErrors(parsed.error);
  const v = parsed.data;
  const existing = id ? await editableQuery(viewer, id) : null;
  if (id && !existing) return failure("That saved query was not found.", "not_found");
  const clash = await db().huntQuery.findFirst({
    where: { ownerId: existing?.ownerId ?? viewer.userId, name: v.name, ...(existing ? { NOT: { id: existing.id } } : {}) },
  });
  if (clash) return { ok: false, fieldErrors: { name: "A saved query with this name exists: choose another name." }, formError: "Choose another name." };
  const saved = await db().$transaction(async (tx) => {
    const row = existing
      ? await tx.huntQuery.update({ where: { id: existing.id }, data: v })
      : await tx.huntQuery.create({ data: { id: randomUUID(), partnerId: viewer.partnerId, ownerId: viewer.userId, ...v } });
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: existing ? "hunt.query.updated" : "hunt.query.saved",
      detail: { queryId: row.id, name: v.name, shared: v.shared },
    });
    return row;
  });
  return { ok: true, message: existing ? "Saved query updated." : `Saved “${v.name}”.`, value: { id: saved.id } };
}

export async function deleteHuntQuery(viewer: Viewer, id: string): Promise<Result> {
  assertCan(viewer, "hunting:run");
  const q = await editableQuery(viewer, id);
  if (!q) return failure("That saved query was not found.", "not_found");
  await db().$transaction(async (tx) => {
    await tx.huntQuery.delete({ where: { id: q.id } });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "hunt.query.deleted", detail: { queryId: q.id, name: q.name } });
  });
  return { ok: true, message: "Saved query deleted." };
}

export interface EditorSource {
  query: string;
  timespan: string;
  /** Where the text came from, shown above the editor. */
  label: string | null;
  saved: { id: string; name: string; description: string; shared: boolean; canEdit: boolean } | null;
}

/** What the editor opens with: a starter hunt, a saved query, or an earlier run of the viewer's (`from`). */
export async function editorSource(viewer: Viewer, from: { starter?: string; saved?: string; run?: string }): Promise<EditorSource> {
  assertCan(viewer, "hunting:run");
  const blank: EditorSource = { query: STARTER_HUNTS[0]!.query, timespan: "P7D", label: `Starter: ${STARTER_HUNTS[0]!.name}`, saved: null };
  if (from.starter) {
    const s = findStarterHunt(from.starter);
    return s ? { query: s.query, timespan: "P7D", label: `Starter: ${s.name}`, saved: null } : blank;
  }
  if (from.saved && GUID_RE.test(from.saved)) {
    const q = await db().huntQuery.findFirst({ where: { id: from.saved, partnerId: viewer.partnerId, OR: [{ ownerId: viewer.userId }, { shared: true }] } });
    if (q)
      return {
        query: q.query,
        timespan: "P7D",
        label: `Saved: ${q.name}`,
        saved: {
          id: q.id,
          name: q.name,
          description: q.description,
          shared: q.shared,
          canEdit: q.ownerId === viewer.userId || (q.shared && viewer.role === "ADMIN"),
        },
      };
  }
  if (from.run) {
    const run = await ownRun(viewer, from.run);
    if (run)
      return {
        query: run.query,
        timespan: run.timespan,
        label: `From your hunt of ${run.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC`,
        saved: null,
      };
  }
  return blank;
}
