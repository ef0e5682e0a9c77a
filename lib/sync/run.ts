import type { PrismaClient } from "../db/client.ts";
import { MicrosoftApiClient, MicrosoftApiError } from "../microsoft/api-client.ts";
import { API_RESOURCE, regionOf } from "../microsoft/hosts.ts";
import { TokenAcquisitionError, type TenantTokenClient } from "../microsoft/token-client.ts";
import type { DataSource, Feed } from "./model.ts";
import { refreshGrantedRoles } from "./permissions.ts";
import { feedFetcher, type FeedPage } from "./sources.ts";
import { upsertAlerts, upsertIncidents } from "./store.ts";
import { log } from "../ops/log.ts";

export interface SyncDeps {
  prisma: PrismaClient;
  tokens: TenantTokenClient;
  api: MicrosoftApiClient;
  source: DataSource;
  intervalMinutes: number;
  /** The run's lease: it refreshes its heartbeat four times per lease. */
  leaseMs?: number;
  /** The qualified roles onboarding requires ("{resource}/{permission}"): a missing one shows on the customer's health. */
  requiredRoles?: readonly string[];
}

export interface SyncOutcome {
  ok: boolean;
  rowsChanged: number;
  apiCalls: number;
  fetched: number;
  error?: { code: string; message: string };
}

/** Rows (incidents, their alerts, alerts) per store transaction: the most a run holds in memory, plus one page. */
export const STORE_BATCH_ROWS = 1_000;

/** A run whose heartbeat is older than its lease has lost its worker (killed, or cut off from the database). */
export const DEFAULT_LEASE_MS = 60_000;

/**
 * One sync of one customer's feed: fetch what changed since the cursor (or everything, `full`) and upsert it batch by
 * batch as pages arrive, advancing the cursor in the same transaction as the last batch, so a crash anywhere before
 * that commit loses nothing (the next run fetches the same window again) and duplicates nothing (upserts by source id).
 */
export async function runFeedSync(deps: SyncDeps, customerId: string, feed: Feed, opts: { full?: boolean; jobId?: string } = {}): Promise<SyncOutcome> {
  const { prisma } = deps;
  const customer = await prisma.customer.findUnique({
    where: { id: customerId },
    select: { id: true, tenantId: true, region: true, status: true, statusFromSync: true },
  });
  // Nothing syncs from a tenant that is not (yet) confirmed as this customer's.
  if (!customer?.tenantId || customer.status === "PENDING" || customer.status === "AWAITING_CONFIRMATION") {
    return { ok: false, rowsChanged: 0, apiCalls: 0, fetched: 0, error: { code: "no_tenant", message: "The customer has no consented, confirmed tenant." } };
  }
  const fetcher = feedFetcher(deps.source, feed);
  const startedAt = new Date();
  const state = await prisma.syncState.upsert({
    where: { customerId_feed: { customerId, feed } },
    create: {
      customerId,
      feed,
      source: deps.source,
      running: true,
      runStartedAt: startedAt,
      heartbeatAt: startedAt,
      jobId: opts.jobId ?? null,
      progress: "Starting",
    },
    update: { running: true, runStartedAt: startedAt, heartbeatAt: startedAt, jobId: opts.jobId ?? null, progress: "Starting" },
  });
  const heartbeat = setInterval(
    () => {
      void prisma.syncState.update({ where: { customerId_feed: { customerId, feed } }, data: { heartbeatAt: new Date() } }).catch(() => {});
    },
    (deps.leaseMs ?? DEFAULT_LEASE_MS) / 4,
  );
  // Switching the data source starts a fresh cursor: the other API's high-water mark means nothing here.
  const since = opts.full || state.source !== deps.source ? null : state.cursor;
  let apiCalls = 0;
  const target = { tenantId: customer.tenantId, region: regionOf(customer.region) };
  const api = new MicrosoftApiClient({ ...deps.api.options, onCall: () => (apiCalls += 1) });
  try {
    // Check the token before using it: right tenant, and the role this feed needs.
    // A token no older than one cycle: its `roles` are what the customer grants now (removed permissions show in time).
    const token = await deps.tokens.acquire(customer.tenantId, API_RESOURCE[fetcher.api], { maxAgeMs: deps.intervalMinutes * 60_000 });
    if (token.tenantId !== customer.tenantId) {
      throw new MicrosoftApiError("token", null, "token_tenant_mismatch", `Microsoft issued a token for tenant ${token.tenantId}, not ${customer.tenantId}.`);
    }
    if (!token.fromCache) await refreshGrantedRoles(prisma, customerId, API_RESOURCE[fetcher.api], token.roles, deps.requiredRoles ?? []);
    if (!fetcher.anyOfRoles.some((r) => token.roles.includes(r))) {
      throw new MicrosoftApiError(
        "forbidden",
        null,
        "permission_missing",
        `The app lacks ${fetcher.anyOfRoles[0]} on ${fetcher.apiName} in this tenant (consent granted without it, or removed).`,
      );
    }
    // Pages are stored as they come, in batches of about STORE_BATCH_ROWS rows, each batch its own transaction; the
    // next page is fetched while a batch is being stored (one batch in flight at most). Memory per run stays bounded by
    // the batch, not by the tenant's backlog. The cursor moves only with the last batch: a run that fails half-way
    // has stored some rows (upserts, so a rerun writes them again without duplicates) but fetches the same window
    // again next time, so nothing is lost.
    const announce = state.lastSuccessAt !== null;
    let pending: FeedPage = { incidents: [], alerts: [] };
    let pendingRows = 0;
    let fetched = 0;
    let rowsChanged = 0;
    let maxUpdated = null as Date | null;
    let storing: Promise<void> | null = null;
    let lastProgress = 0;
    const storeBatch = (page: FeedPage, finish: { cursor: Date | null } | null) =>
      retryOnDeadlock(() =>
        prisma.$transaction(
          async (tx) => {
            const now = new Date();
            const changed =
              (await upsertIncidents(tx, customerId, deps.source, page.incidents, now, { origin: "microsoft", announce })) +
              (await upsertAlerts(tx, customerId, deps.source, page.alerts, now));
            if (finish) {
              await tx.syncState.update({
                where: { customerId_feed: { customerId, feed } },
                data: {
                  source: deps.source,
                  cursor: finish.cursor,
                  running: false,
                  jobId: null,
                  progress: null,
                  lastSuccessAt: now,
                  rowsChanged: rowsChanged + changed,
                  apiCalls,
                  lastError: null,
                  lastErrorCode: null,
                  nextRunAt: new Date(now.getTime() + deps.intervalMinutes * 60_000),
                },
              });
            }
            return changed;
          },
          { timeout: 120_000, maxWait: 30_000 },
        ),
      ).then((changed) => {
        rowsChanged += changed;
      });
    await fetcher.fetch(api, target, since, async (page) => {
      fetched += page.incidents.length + page.alerts.length;
      for (const row of [...page.incidents, ...page.alerts]) if (!maxUpdated || row.lastUpdateTime > maxUpdated) maxUpdated = row.lastUpdateTime;
      pending.incidents.push(...page.incidents);
      pending.alerts.push(...page.alerts);
      // An incident's alerts are stored with it, so they count towards the batch.
      pendingRows += page.alerts.length + page.incidents.reduce((n, i) => n + 1 + i.alerts.length, 0);
      // Progress is for people watching a long first sync: a write every few hundred rows, none for a small run.
      if (fetched - lastProgress >= 500) {
        lastProgress = fetched;
        void prisma.syncState.update({ where: { customerId_feed: { customerId, feed } }, data: { progress: `Fetched ${fetched}` } }).catch(() => {});
      }
      if (pendingRows < STORE_BATCH_ROWS) return;
      await storing;
      const batch = pending;
      pending = { incidents: [], alerts: [] };
      pendingRows = 0;
      storing = storeBatch(batch, null);
      // Awaited before the next batch or at the end; until then a failure must not count as unhandled.
      storing.catch(() => {});
    });
    await storing;
    const cursor = maxUpdated && (!since || maxUpdated > since) ? maxUpdated : since;
    await storeBatch(pending, { cursor });
    // A token Entra issued just now (not a cached one) proves consent again: clear a status an earlier failed run set.
    if (!token.fromCache && customer.statusFromSync && (customer.status === "REVOKED" || customer.status === "ERROR")) {
      await prisma.customer.updateMany({
        where: { id: customerId, statusFromSync: true },
        data: { status: "CONSENTED", statusReason: null, statusFromSync: false, lastEventAt: new Date() },
      });
    }
    return { ok: true, rowsChanged, apiCalls, fetched };
  } catch (err) {
    const failure = describeFailure(err);
    const now = new Date();
    try {
      await prisma.syncState.update({
        where: { customerId_feed: { customerId, feed } },
        data: {
          running: false,
          jobId: null,
          progress: null,
          lastErrorAt: now,
          lastError: failure.message,
          lastErrorCode: failure.code,
          apiCalls,
          nextRunAt: new Date(now.getTime() + deps.intervalMinutes * 60_000),
        },
      });
      if (failure.customerStatus) {
        await prisma.customer.update({
          where: { id: customerId },
          data: { status: failure.customerStatus, statusReason: failure.message, statusFromSync: true, lastEventAt: now },
        });
      }
    } catch (recordErr) {
      // The database itself is gone (restart, network): the run's lease runs out and the scheduler recovers it.
      log.error("sync: could not record a run's failure", { feed, customerId, err: recordErr });
    }
    return { ok: false, rowsChanged: 0, apiCalls, fetched: 0, error: { code: failure.code, message: failure.message } };
  } finally {
    clearInterval(heartbeat);
  }
}

/** What went wrong, in plain words with its code, and whether it changes the customer's consent health. */
function describeFailure(err: unknown): { code: string; message: string; customerStatus?: "REVOKED" | "ERROR" } {
  if (err instanceof MicrosoftApiError) {
    if (err.kind === "token") {
      if (err.code === "AADSTS700016" || err.code === "AADSTS65001") {
        return {
          code: err.code,
          message: `Consent was revoked in the customer's tenant: Microsoft no longer issues the app a token there (${err.code}).`,
          customerStatus: "REVOKED",
        };
      }
      if (err.code === "AADSTS500011" || err.code === "AADSTS650052") {
        return { code: err.code, message: `The tenant has no Microsoft Defender licence for this API (${err.code}).`, customerStatus: "ERROR" };
      }
      if (err.code === "token_tenant_mismatch") return { code: err.code, message: err.message, customerStatus: "ERROR" };
      return { code: err.code, message: err.message };
    }
    if (err.kind === "forbidden") return { code: err.code, message: err.message, customerStatus: "ERROR" };
    return { code: err.code, message: err.message };
  }
  if (err instanceof TokenAcquisitionError) return describeFailure(new MicrosoftApiError("token", null, err.code, err.message));
  const e = err as Error & { meta?: unknown };
  log.error("sync: unexpected error", { err, ...(e?.meta ? { meta: e.meta } : {}) });
  return { code: "internal_error", message: "The sync failed unexpectedly; see the worker log." };
}

/** A transaction PostgreSQL aborted to break a deadlock (40P01) or a serialization conflict (40001), or Prisma's P2034. */
function isDeadlock(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === "P2034" || (e?.code === "P2010" && /40P01|40001|deadlock/i.test(e.message ?? ""));
}

async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      if (i >= attempts || !isDeadlock(err)) throw err;
      await new Promise((r) => setTimeout(r, 50 * i + Math.random() * 100));
    }
  }
}
