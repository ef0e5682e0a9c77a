import type { PrismaClient } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import { capabilityRoles, findUpgradeCapability } from "../config/capabilities.ts";
import type { HuntConfig } from "../config/hunting.ts";
import { writeAudit } from "../data/audit.ts";
import { starterScope } from "../data/starter-scope.ts";
import { isAppError } from "../errors.ts";
import { MicrosoftApiError, type MicrosoftApiClient } from "../microsoft/api-client.ts";
import { regionOf } from "../microsoft/hosts.ts";
import { runHuntingQuery, type HuntingColumn } from "../microsoft/hunting.ts";
import { pool } from "../shared/pool.ts";

/**
 * Runs a hunting run (lib/data/hunting.ts makes it): the query goes to each customer's tenant, at most
 * `cfg.concurrency` tenants at once, each within its own per-minute hunting budget (the shared limiter of the API
 * client). One customer's failure is that customer's row in the progress list, in words, never the run's: not
 * granted (with how to ask), throttled (until when), timed out, or Microsoft's own message for a query it rejects.
 * Rows are kept up to the run's cap; the run says when and where it cut.
 */
export interface HuntDeps {
  prisma: PrismaClient;
  api: MicrosoftApiClient;
  cfg: HuntConfig;
  log?: (line: string) => void;
}

const HUNTING_ROLES = capabilityRoles(findUpgradeCapability("hunting")!);

export const HUNT_REASONS = {
  not_granted:
    "Hunting not granted: this customer has not granted ThreatHunting.Read.All (Microsoft Graph), which advanced hunting needs. A partner admin can ask for it with an additional-permissions link (Advanced hunting) on the customer's page.",
  not_connected: "Not connected: this customer has no consented tenant yet.",
  out_of_scope: "Skipped: this customer is no longer one of yours.",
} as const;

export type HuntReason = keyof typeof HUNT_REASONS | "not_licensed" | "throttled" | "timeout" | "query_error" | "too_large" | "failed";

type TenantOutcome = { status: "done" | "failed" | "skipped"; reason: HuntReason | null; message: string | null };

/** What a failed call means for the analyst. */
export function describeHuntFailure(err: unknown, now = Date.now()): TenantOutcome {
  if (err instanceof MicrosoftApiError) {
    switch (err.kind) {
      case "forbidden":
        // A tenant without Defender XDR answers 403 too, saying so: that is a licence to buy, not a permission to ask.
        if (/not onboarded/i.test(err.message))
          return {
            status: "failed",
            reason: "not_licensed",
            message: `This customer's tenant is not onboarded to Microsoft Defender XDR, so it has no hunting data. Microsoft said: ${err.message}`,
          };
        return { status: "failed", reason: "not_granted", message: `${HUNT_REASONS.not_granted} Microsoft said: ${err.message}` };
      case "throttled": {
        const until = err.retryAfterMs ? new Date(now + err.retryAfterMs).toISOString().slice(11, 16) : null;
        return {
          status: "failed",
          reason: "throttled",
          message: `Microsoft's hunting quota for this customer is used up${until ? ` until about ${until} UTC` : ""}: ${err.message}. Run it again for this customer later.`,
        };
      }
      case "timeout":
        return {
          status: "failed",
          reason: "timeout",
          message: "The query did not finish in time (Microsoft stops a query after 3 minutes). Narrow it: a shorter time range, a `where` early, or `take`.",
        };
      case "too_large":
        return { status: "failed", reason: "too_large", message: err.message };
      case "bad_request":
        // Microsoft's timeout answer is a 400/408 whose message says so; anything else is about the query itself.
        if (err.httpStatus === 408 || /timeout|timed out/i.test(err.message))
          return { status: "failed", reason: "timeout", message: `The query timed out at Microsoft: ${err.message}` };
        return { status: "failed", reason: "query_error", message: `Microsoft rejected the query: ${err.message}` };
      case "token":
        return { status: "failed", reason: "failed", message: `The portal could not get a token for this customer: ${err.message}` };
      default:
        return { status: "failed", reason: "failed", message: `Microsoft did not answer the query: ${err.message}` };
    }
  }
  if (isAppError(err)) return { status: "failed", reason: "failed", message: err.message };
  throw err;
}

const ROW_BATCH = 2_000;

export async function runHunt(deps: HuntDeps, runId: string, opts: { queueJobId?: string } = {}) {
  const { prisma, cfg } = deps;
  const run = await prisma.huntRun.findUnique({
    where: { id: runId },
    select: { id: true, partnerId: true, createdById: true, query: true, timespan: true, status: true, rowCap: true, columns: true },
  });
  if (!run || run.status === "finished") return null;
  const now = new Date();
  await prisma.huntRun.update({
    where: { id: runId },
    data: { status: "running", startedAt: now, heartbeatAt: now, ...(opts.queueJobId ? { queueJobId: opts.queueJobId } : {}) },
  });
  const scope = await starterScope(prisma, run.createdById, run.partnerId);
  // Customers not finished: queued, or running when an earlier worker died (a hunt is a read: ask again).
  const pending = await prisma.huntTenantRun.findMany({
    where: { runId, status: { in: ["queued", "running"] } },
    orderBy: { customerName: "asc" },
    select: { customerId: true },
  });
  const customers = new Map(
    (
      await prisma.customer.findMany({
        where: { id: { in: pending.map((p) => p.customerId) } },
        select: { id: true, partnerId: true, tenantId: true, region: true, grantedRoles: true },
      })
    ).map((c) => [c.id, c]),
  );
  // Rows already kept (an earlier run of this job), so the cap holds across restarts.
  let budget = run.rowCap - (await prisma.huntResultRow.count({ where: { runId } }));
  let truncated = false;
  const columns: HuntingColumn[] = Array.isArray(run.columns) ? (run.columns as unknown as HuntingColumn[]) : [];
  const known = new Set(columns.map((c) => c.name));

  const finish = async (customerId: string, outcome: TenantOutcome & { rowCount?: number; rowsCut?: number }) => {
    await prisma.huntTenantRun.update({
      where: { runId_customerId: { runId, customerId } },
      data: {
        status: outcome.status,
        reason: outcome.reason,
        message: outcome.message?.slice(0, 2_000) ?? null,
        rowCount: outcome.rowCount ?? 0,
        rowsCut: outcome.rowsCut ?? 0,
        finishedAt: new Date(),
      },
    });
    await prisma.huntRun.update({ where: { id: runId }, data: { heartbeatAt: new Date() } });
  };

  await pool(pending, cfg.concurrency, async ({ customerId }) => {
    const customer = customers.get(customerId);
    if (!customer || customer.partnerId !== run.partnerId || (scope !== "all" && !scope.has(customerId)))
      return finish(customerId, { status: "skipped", reason: "out_of_scope", message: HUNT_REASONS.out_of_scope });
    if (!customer.tenantId) return finish(customerId, { status: "skipped", reason: "not_connected", message: HUNT_REASONS.not_connected });
    if (!HUNTING_ROLES.every((r) => customer.grantedRoles.includes(r)))
      return finish(customerId, { status: "skipped", reason: "not_granted", message: HUNT_REASONS.not_granted });
    await prisma.huntTenantRun.update({
      where: { runId_customerId: { runId, customerId } },
      data: { status: "running", startedAt: new Date(), attempts: { increment: 1 } },
    });
    let answer;
    try {
      answer = await runHuntingQuery(
        deps.api,
        { tenantId: customer.tenantId, region: regionOf(customer.region) },
        { query: run.query, timespan: run.timespan },
        cfg,
      );
    } catch (err) {
      return finish(customerId, describeHuntFailure(err));
    }
    // The cap is taken synchronously (one process runs one run), so lanes never overshoot it together.
    const keep = Math.max(0, Math.min(answer.rows.length, budget));
    budget -= keep;
    const cut = answer.rows.length - keep;
    if (cut > 0) truncated = true;
    let newColumns = false;
    for (const c of answer.columns)
      if (!known.has(c.name)) {
        known.add(c.name);
        columns.push(c);
        newColumns = true;
      }
    await prisma.$transaction(async (tx) => {
      // A customer asked again after a crash: its earlier rows go first.
      await tx.huntResultRow.deleteMany({ where: { runId, customerId } });
      for (let i = 0; i < keep; i += ROW_BATCH) {
        await tx.huntResultRow.createMany({
          data: answer.rows.slice(i, Math.min(keep, i + ROW_BATCH)).map((data, j) => ({ runId, customerId, seq: i + j, data: data as Prisma.InputJsonValue })),
        });
      }
      if (newColumns) await tx.huntRun.update({ where: { id: runId }, data: { columns: columns as unknown as Prisma.InputJsonValue } });
    });
    await finish(customerId, {
      status: "done",
      reason: null,
      message:
        cut > 0
          ? `${cut.toLocaleString("en-US")} of ${answer.rows.length.toLocaleString("en-US")} rows left out: the run reached its cap of ${run.rowCap.toLocaleString("en-US")} rows.`
          : null,
      rowCount: keep,
      rowsCut: cut,
    });
  });

  const counts = await prisma.huntTenantRun.groupBy({ by: ["status"], where: { runId }, _count: { _all: true }, _sum: { rowCount: true, rowsCut: true } });
  const count = (s: string) => counts.find((c) => c.status === s)?._count._all ?? 0;
  const rowCount = counts.reduce((n, c) => n + (c._sum.rowCount ?? 0), 0);
  const cutTotal = counts.reduce((n, c) => n + (c._sum.rowsCut ?? 0), 0);
  const result = { done: count("done"), failed: count("failed"), skipped: count("skipped"), rows: rowCount, truncated: truncated || cutTotal > 0 };
  await prisma.$transaction(async (tx) => {
    await tx.huntRun.update({
      where: { id: runId },
      data: {
        status: "finished",
        finishedAt: new Date(),
        heartbeatAt: new Date(),
        rowCount,
        truncated: result.truncated,
        columns: columns as unknown as Prisma.InputJsonValue,
      },
    });
    await writeAudit(tx, { actor: `user:${run.createdById}`, action: "hunt.finished", detail: { runId, ...result } });
  });
  deps.log?.(`hunt ${runId}: ${result.done} done, ${result.failed} failed, ${result.skipped} skipped, ${result.rows} rows`);
  return result;
}
