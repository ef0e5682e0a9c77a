import { randomUUID } from "node:crypto";
import { assertCan, type Viewer } from "../auth/viewer.ts";
import { db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import { failure, type Result } from "../result.ts";
import { GUID_RE } from "../shared/ids.ts";
import { BULK_LIMIT, bulkChangeInput, bulkChangeSchema, bulkSelectionInput, type BulkChange } from "../validations/bulk.ts";
import { writeAudit } from "./audit.ts";
import { customerScopeWhere } from "./customers.ts";
import { incidentFilters, parseFilters } from "./filters.ts";
import { fieldErrorsOf } from "./form-errors.ts";
import { listIncidents } from "./incidents.ts";

/**
 * Bulk triage jobs, scoped to the viewer: an analyst makes items only of their own customers (ids of others are
 * dropped and counted, never made into items), sees only their own jobs; admins see every job of the partner.
 * lib/bulk/run.ts applies them in the worker.
 */

export const TOO_MANY = `This filter matches more than ${BULK_LIMIT} incidents: narrow it (customer, severity, status, time range) and try again.`;

/** The filter's incidents (the same query as the queue), or null when there are more than the cap. */
async function incidentsOfFilter(viewer: Viewer, query: string): Promise<{ id: string }[] | null> {
  const params = Object.fromEntries(new URLSearchParams(query.replace(/^\?/, "")));
  const filters = parseFilters(incidentFilters, params);
  const r = await listIncidents(viewer, { ...filters, page: 1 }, { limit: BULK_LIMIT + 1 });
  return r.rows.length > BULK_LIMIT ? null : r.rows.map((row) => ({ id: row.id }));
}

/**
 * Starts a bulk job: checks the change, resolves the selection inside the viewer's customers, writes the job and
 * its items and one audit entry in one transaction. The worker picks queued jobs up within seconds.
 */
export async function createBulkJob(
  viewer: Viewer,
  input: { fields: Record<string, unknown>; ids: string[] },
): Promise<Result<{ id: string; items: number; dropped: number }>> {
  assertCan(viewer, "incidents:triage");
  const parsed = bulkChangeInput.safeParse(input.fields);
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error);
    return { ok: false, fieldErrors, formError: fieldErrors.form };
  }
  const v = parsed.data;
  const change: BulkChange = bulkChangeSchema.parse({
    ...(v.status ? { status: v.status } : {}),
    ...(v.assign === "me" ? { assignedTo: viewer.email } : v.assign === "unassign" ? { assignedTo: null } : {}),
    ...(v.classification ? { classification: v.classification } : {}),
    ...(v.determination ? { determination: v.determination } : {}),
    ...(v.tags?.length ? { addTags: v.tags } : {}),
    ...(v.comment ? { comment: v.comment } : {}),
  });

  const selection = bulkSelectionInput.safeParse(
    input.fields.selection === "filter" ? { selection: "filter", filter: input.fields.filter ?? "" } : { selection: "ids", ids: input.ids },
  );
  if (!selection.success) return failure(selection.error.issues[0]?.message ?? "Select incidents first.", "bad_selection");
  let requested: string[];
  if (selection.data.selection === "filter") {
    const rows = await incidentsOfFilter(viewer, selection.data.filter);
    if (rows === null) return failure(TOO_MANY, "too_many");
    requested = rows.map((r) => r.id);
  } else {
    requested = [...new Set(selection.data.ids.map((id) => id.toLowerCase()))].filter((id) => GUID_RE.test(id));
  }
  if (requested.length === 0) return failure("No incidents selected: nothing to do.", "empty");

  // The viewer's scope decides in the same query: ids of other customers (forged or stale) never become items.
  const incidents = await db().incident.findMany({
    where: { AND: [{ id: { in: requested } }, { customer: customerScopeWhere(viewer) }] },
    select: { id: true, customerId: true, sourceId: true, title: true },
  });
  const dropped = requested.length - incidents.length;
  if (incidents.length === 0) return failure("None of the selected incidents is one of your customers'.", "out_of_scope");

  const id = randomUUID();
  await db().$transaction(async (tx) => {
    await tx.bulkJob.create({
      data: {
        id,
        partnerId: viewer.partnerId,
        createdById: viewer.userId,
        selection: selection.data.selection,
        filter: selection.data.selection === "filter" ? selection.data.filter.slice(0, 4_000) : null,
        change: change as Prisma.InputJsonValue,
        total: incidents.length,
        dropped,
      },
    });
    await tx.bulkJobItem.createMany({
      data: incidents.map((i) => ({ jobId: id, incidentId: i.id, customerId: i.customerId, sourceId: i.sourceId, title: i.title.slice(0, 300) })),
    });
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "bulk.triage",
      detail: {
        jobId: id,
        selection: selection.data.selection,
        requested: requested.length,
        items: incidents.length,
        dropped,
        customers: new Set(incidents.map((i) => i.customerId)).size,
        change: { ...change, comment: change.comment ? `${change.comment.length} characters` : undefined },
      },
    });
  });
  const message =
    dropped > 0
      ? `Bulk job started for ${incidents.length} incident(s); ${dropped} selected incident(s) are not of your customers and were left out.`
      : `Bulk job started for ${incidents.length} incident(s).`;
  return { ok: true, message, value: { id, items: incidents.length, dropped } };
}

/** Who may see a job: its starter, or an admin of the same partner. */
function jobScope(viewer: Viewer): Prisma.BulkJobWhereInput {
  return viewer.role === "ADMIN" ? { partnerId: viewer.partnerId } : { partnerId: viewer.partnerId, createdById: viewer.userId };
}

export type BulkJobView = NonNullable<Awaited<ReturnType<typeof getBulkJob>>>;

/** One job with its per-incident results (only items of customers the viewer may see), or null. */
export async function getBulkJob(viewer: Viewer, jobId: string) {
  assertCan(viewer, "incidents:read");
  if (!GUID_RE.test(jobId)) return null;
  const job = await db().bulkJob.findFirst({
    where: { AND: [{ id: jobId }, jobScope(viewer)] },
    select: {
      id: true,
      createdById: true,
      selection: true,
      filter: true,
      change: true,
      status: true,
      total: true,
      dropped: true,
      runs: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
    },
  });
  if (!job) return null;
  const visible = viewer.customerScope === "all" ? {} : { customerId: { in: [...viewer.customerScope] } };
  const [items, counts, starter] = await Promise.all([
    db().bulkJobItem.findMany({
      where: { jobId, ...visible },
      orderBy: [{ status: "asc" }, { sourceId: "asc" }],
      select: { incidentId: true, customerId: true, sourceId: true, title: true, status: true, message: true, attempts: true, finishedAt: true },
    }),
    db().bulkJobItem.groupBy({ by: ["status"], where: { jobId }, _count: { _all: true } }),
    db().portalUser.findUnique({ where: { id: job.createdById }, select: { displayName: true, email: true } }),
  ]);
  const customerIds = [...new Set(items.map((i) => i.customerId))];
  const customers = await db().customer.findMany({
    where: { AND: [{ id: { in: customerIds } }, customerScopeWhere(viewer)] },
    select: { id: true, displayName: true },
  });
  const names = new Map(customers.map((c) => [c.id, c.displayName]));
  const count = (s: string) => counts.find((c) => c.status === s)?._count._all ?? 0;
  return {
    ...job,
    change: bulkChangeSchema.catch({}).parse(job.change),
    starter: starter ? `${starter.displayName} (${starter.email})` : "a former user",
    mine: job.createdById === viewer.userId,
    counts: { queued: count("queued"), done: count("done"), skipped: count("skipped"), failed: count("failed") },
    items: items.map((i) => ({ ...i, customerName: names.get(i.customerId) ?? "—" })),
  };
}

/** The viewer's recent bulk jobs (admins: every job of the partner), newest first. */
export async function listBulkJobs(viewer: Viewer, opts: { take?: number } = {}) {
  assertCan(viewer, "incidents:read");
  const jobs = await db().bulkJob.findMany({
    where: jobScope(viewer),
    orderBy: { createdAt: "desc" },
    take: Math.min(opts.take ?? 50, 200),
    select: {
      id: true,
      createdById: true,
      selection: true,
      change: true,
      status: true,
      total: true,
      done: true,
      skipped: true,
      failed: true,
      createdAt: true,
      finishedAt: true,
    },
  });
  return jobs.map((j) => ({ ...j, change: bulkChangeSchema.catch({}).parse(j.change), mine: j.createdById === viewer.userId }));
}

/**
 * Runs the job's failed items again (done and skipped items stay as they are). An item that was sent before is read
 * back from Microsoft first, so nothing is applied twice.
 */
export async function retryBulkJob(viewer: Viewer, jobId: string): Promise<Result> {
  assertCan(viewer, "incidents:triage");
  if (!GUID_RE.test(jobId)) return failure("Bulk job not found.", "not_found");
  const job = await db().bulkJob.findFirst({ where: { AND: [{ id: jobId }, jobScope(viewer)] }, select: { id: true, status: true, createdById: true } });
  if (!job) return failure("Bulk job not found.", "not_found");
  if (job.createdById !== viewer.userId) return failure("Only the person who started this job can retry it.", "not_owner");
  if (job.status !== "finished") return failure("This job is still running.", "running");
  const n = await db().$transaction(async (tx) => {
    const failed = await tx.bulkJobItem.count({ where: { jobId, status: "failed" } });
    if (failed === 0) return 0;
    // Conditional: a concurrent retry finds the job already queued and changes nothing.
    const moved = await tx.bulkJob.updateMany({ where: { id: jobId, status: "finished" }, data: { status: "queued", finishedAt: null } });
    if (moved.count === 0) return 0;
    const reset = await tx.bulkJobItem.updateMany({ where: { jobId, status: "failed" }, data: { status: "queued", message: null, finishedAt: null } });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "bulk.triage.retried", detail: { jobId, items: reset.count } });
    return reset.count;
  });
  if (n === 0) return failure("No failed items to retry.", "nothing_to_retry");
  return { ok: true, message: `Retrying ${n} failed item(s).` };
}
