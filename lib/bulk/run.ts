import type { PrismaClient } from "../db/client.ts";
import { MicrosoftApiError, type MicrosoftApiClient, type TenantTarget } from "../microsoft/api-client.ts";
import { regionOf } from "../microsoft/hosts.ts";
import { parseMicrosoftPayload, xdrIncidentSchema } from "../microsoft/schemas/index.ts";
import { canTriageCustomer } from "../data/triage.ts";
import { DelegatedTokenError } from "../microsoft/delegated.ts";
import { analystForbiddenMessage, delegatedFailureMessage, writeClientFor, type WriteClient } from "../microsoft/write-client.ts";
import { writeAudit } from "../data/audit.ts";
import { isAppError } from "../errors.ts";
import type { DataSource } from "../sync/model.ts";
import { fetchIncident } from "../sync/sources.ts";
import { upsertIncidents } from "../sync/store.ts";
import { bulkChangeSchema, type BulkChange } from "../validations/bulk.ts";
import { starterScope } from "../data/starter-scope.ts";
import { pool } from "../shared/pool.ts";

/**
 * Applies a bulk job at Microsoft, item by item (lib/data/bulk.ts makes the job). Items are grouped per tenant: one
 * tenant's items go one after another through the shared per-tenant limiter (lib/microsoft/rate-limiter.ts, the
 * documented 50 calls/minute of the incidents API), and at most `concurrency` tenants are worked at once.
 *
 * Never twice: a done item is never sent again. The PATCH itself is not idempotent (a comment is appended each time;
 * status, assignment, classification and tags are set, so sending them again changes nothing), so `sentAt` is
 * committed before a PATCH leaves. An item not done whose `sentAt` is set (the worker died, Microsoft timed out or
 * answered 5xx) may have been applied: the next run reads Microsoft's copy first and leaves the comment out when it
 * is already there (same text, written after the earlier send).
 */
export interface BulkDeps {
  prisma: PrismaClient;
  api: MicrosoftApiClient;
  /** Tenants worked at once (each one's items go in order). */
  concurrency?: number;
  /** Test hook: runs after Microsoft accepted an item's PATCH, before the item is recorded (a throw = a crash). */
  afterPatch?: (item: { incidentId: string }) => void | Promise<void>;
  log?: (line: string) => void;
}

export const SKIP_NO_PERMISSION =
  "Skipped: this customer has not granted Incident.ReadWrite.All (Microsoft Threat Protection), which updating incidents needs. A partner admin can ask for it with an additional-permissions link (Incident updates) on the customer's page.";
const SKIP_OUT_OF_SCOPE = "Skipped: this customer is no longer one of the job starter's customers.";
const SKIP_NOT_CONNECTED = "Skipped: this customer is not connected (no consented tenant).";
const SKIP_GONE = "Skipped: the incident is no longer in the portal's store.";
/** Microsoft's clock and ours differ: a comment written this long before our send still counts as ours. */
const CLOCK_SKEW_MS = 10 * 60_000;

type Item = { incidentId: string; customerId: string; sourceId: string; sentAt: Date | null; attempts: number };
type CustomerRow = { id: string; partnerId: string; displayName: string; tenantId: string | null; region: string; grantedRoles: string[]; writeMode: string };

/** Runs a job's queued items. Returns the counts after the run, or null when there was nothing to run. */
export async function runBulkJob(deps: BulkDeps, jobId: string, opts: { queueJobId?: string } = {}) {
  const { prisma } = deps;
  const job = await prisma.bulkJob.findUnique({ where: { id: jobId }, select: { id: true, partnerId: true, createdById: true, change: true, status: true } });
  if (!job || job.status === "finished") return null;
  const change = bulkChangeSchema.parse(job.change);
  const now = new Date();
  await prisma.bulkJob.update({
    where: { id: jobId },
    data: { status: "running", runs: { increment: 1 }, startedAt: now, heartbeatAt: now, ...(opts.queueJobId ? { queueJobId: opts.queueJobId } : {}) },
  });
  const actor = `user:${job.createdById}` as const;
  const scope = await starterScope(prisma, job.createdById, job.partnerId);
  const items = await prisma.bulkJobItem.findMany({
    where: { jobId, status: "queued" },
    orderBy: { sourceId: "asc" },
    select: { incidentId: true, customerId: true, sourceId: true, sentAt: true, attempts: true },
  });
  const customers = new Map<string, CustomerRow>(
    (
      await prisma.customer.findMany({
        where: { id: { in: [...new Set(items.map((i) => i.customerId))] } },
        select: { id: true, partnerId: true, displayName: true, tenantId: true, region: true, grantedRoles: true, writeMode: true },
      })
    ).map((c) => [c.id, c]),
  );
  const byCustomer = new Map<string, Item[]>();
  for (const i of items) byCustomer.set(i.customerId, [...(byCustomer.get(i.customerId) ?? []), i]);

  const finish = async (item: Item, status: "done" | "skipped" | "failed", message: string | null) => {
    await prisma.bulkJobItem.update({
      where: { jobId_incidentId: { jobId, incidentId: item.incidentId } },
      data: { status, message: message?.slice(0, 1_000) ?? null, finishedAt: new Date() },
    });
    await prisma.bulkJob.update({ where: { id: jobId }, data: { heartbeatAt: new Date() } });
  };

  await pool([...byCustomer.entries()], deps.concurrency ?? 4, async ([customerId, list]) => {
    const customer = customers.get(customerId);
    // Whose token writes at this customer (issue 13): the app's, or the job starter's own delegated one. A starter who
    // is not connected (or whose connection lapsed) fails those items with the reason: never done as the app instead.
    let writer: WriteClient | DelegatedTokenError | null = null;
    const writerFor = async (c: CustomerRow & { tenantId: string }) => {
      if (writer) return writer;
      try {
        writer = await writeClientFor(prisma, deps.api, job.createdById, c);
      } catch (err) {
        if (!(err instanceof DelegatedTokenError)) throw err;
        writer = err;
      }
      return writer;
    };
    for (const item of list) {
      if (!customer || customer.partnerId !== job.partnerId || (scope !== "all" && !scope.has(customerId))) {
        await finish(item, "skipped", SKIP_OUT_OF_SCOPE);
      } else if (!customer.tenantId) {
        await finish(item, "skipped", SKIP_NOT_CONNECTED);
      } else if (!canTriageCustomer(customer)) {
        await finish(item, "skipped", SKIP_NO_PERMISSION);
      } else {
        const bound = { ...customer, tenantId: customer.tenantId };
        const w = await writerFor(bound);
        if (w instanceof DelegatedTokenError) await finish(item, "failed", delegatedFailureMessage(w, customer.displayName));
        else await applyItem(deps, jobId, actor, change, bound, item, finish, w);
      }
    }
  });

  const counts = await prisma.bulkJobItem.groupBy({ by: ["status"], where: { jobId }, _count: { _all: true } });
  const count = (s: string) => counts.find((c) => c.status === s)?._count._all ?? 0;
  const result = { done: count("done"), skipped: count("skipped"), failed: count("failed"), queued: count("queued") };
  await prisma.$transaction(async (tx) => {
    await tx.bulkJob.update({
      where: { id: jobId },
      data: { status: "finished", finishedAt: new Date(), done: result.done, skipped: result.skipped, failed: result.failed, heartbeatAt: new Date() },
    });
    await writeAudit(tx, { actor, action: "bulk.triage.finished", detail: { jobId, ...result } });
  });
  deps.log?.(`bulk job ${jobId}: ${result.done} done, ${result.skipped} skipped, ${result.failed} failed`);
  return result;
}

async function applyItem(
  deps: BulkDeps,
  jobId: string,
  actor: `user:${string}`,
  change: BulkChange,
  customer: CustomerRow & { tenantId: string },
  item: Item,
  finish: (item: Item, status: "done" | "skipped" | "failed", message: string | null) => Promise<void>,
  writer: WriteClient,
) {
  // Reads (the current copy, Microsoft's answer afterwards) are the app's; only the PATCH is the writer's.
  const { prisma, api } = deps;
  const target: TenantTarget = { tenantId: customer.tenantId, region: regionOf(customer.region) };
  const incident = await prisma.incident.findFirst({ where: { id: item.incidentId, customerId: customer.id }, select: { source: true } });
  if (!incident) return finish(item, "skipped", SKIP_GONE);
  const path = `/api/incidents/${encodeURIComponent(item.sourceId)}`;
  try {
    const patch: Record<string, unknown> = {};
    if (change.status) patch.status = change.status;
    if (change.assignedTo !== undefined) patch.assignedTo = change.assignedTo;
    if (change.classification) patch.classification = change.classification;
    if (change.determination) patch.determination = change.determination;
    if (change.comment) patch.comment = change.comment;
    // Tags: the PATCH replaces the list, so adding reads the current one (api-update-incidents.md). A copy that was
    // perhaps already sent is read for its comments too.
    if (change.addTags?.length || item.sentAt) {
      const current = parseMicrosoftPayload(xdrIncidentSchema, await api.getJson("xdr", target, path), "Defender XDR incident");
      if (change.addTags?.length) {
        const tags = current.tags ?? [];
        const missing = change.addTags.filter((t) => !tags.includes(t));
        if (missing.length) patch.tags = [...tags, ...missing];
      }
      if (item.sentAt && change.comment) {
        const since = item.sentAt.getTime() - CLOCK_SKEW_MS;
        const already = (current.comments ?? []).some((c) => c.comment === change.comment && (!c.createdTime || new Date(c.createdTime).getTime() >= since));
        if (already) delete patch.comment;
      }
    }
    if (Object.keys(patch).length > 0) {
      // Committed before the PATCH leaves: if this process dies from here on, the next run reads before resending.
      const claimed = await prisma.bulkJobItem.updateMany({
        where: { jobId, incidentId: item.incidentId, status: "queued", sentAt: item.sentAt },
        data: { sentAt: new Date(), attempts: { increment: 1 } },
      });
      if (claimed.count === 0) return; // another run took it
      // The Graph incident id and the Defender XDR incidentId are the same number: one PATCH serves both sources.
      await writer.api.patchJson("xdr", target, path, patch);
      await deps.afterPatch?.(item);
    }
    const source = incident.source as DataSource;
    const fresh = await fetchIncident(api, target, source, item.sourceId).catch(() => null);
    if (fresh) {
      await prisma.$transaction(async (tx) => {
        await upsertIncidents(tx, customer.id, source, [fresh], new Date(), {
          origin: "bulk",
          actor,
          writeContext: writer.context,
          microsoftActor: writer.microsoftActor,
        });
      });
    }
    await finish(item, "done", null);
  } catch (err) {
    if (err instanceof DelegatedTokenError) return finish(item, "failed", delegatedFailureMessage(err, customer.displayName));
    if (err instanceof MicrosoftApiError) {
      // Microsoft's answer for the analyst's own token is authoritative: shown as such, not retried as the app.
      if (err.httpStatus === 403 && writer.context === "delegated")
        return finish(item, "failed", analystForbiddenMessage(customer.displayName, writer.microsoftActor, err.message));
      return finish(item, "failed", `Microsoft did not accept the change: ${err.message}`);
    }
    // A payload Microsoft sent that the portal cannot read: that item fails, the others go on.
    if (isAppError(err)) return finish(item, "failed", err.message);
    throw err;
  }
}
