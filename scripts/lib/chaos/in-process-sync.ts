import type { PrismaClient } from "../../../lib/db/client.ts";
import { MicrosoftApiClient } from "../../../lib/microsoft/api-client.ts";
import { TenantTokenClient } from "../../../lib/microsoft/token-client.ts";
import type { DataSource, Feed } from "../../../lib/sync/model.ts";
import { runFeedSync, type SyncDeps, type SyncOutcome } from "../../../lib/sync/run.ts";
import type { ChaosEnv } from "./env.ts";
import type { FleetTenant } from "./fleet.ts";

const FEEDS: Feed[] = ["incidents", "alerts"];
/** As many syncs at once as the worker runs by default (SYNC_CONCURRENCY). */
const CONCURRENCY = 4;
/** The API client's per-request timeout here: the worker's 30 s would make the timeout scenario take minutes. */
const REQUEST_TIMEOUT_MS = 2_000;

export interface RoundResult {
  runs: number;
  failed: number;
  /** Error codes of the failed runs, with their counts. */
  errors: Record<string, number>;
}

/**
 * The sync pipeline of one worker process, run in this process: lib/sync/run.ts runFeedSync over every syncable
 * customer and feed, with real Retry-After waits and backoff. Convergence passes use `nextProcess()`: a new token
 * cache, as the next scheduled run sees once the cached tokens expired (or a restarted worker).
 */
export class InProcessSync {
  private deps: SyncDeps;

  constructor(
    private readonly env: ChaosEnv,
    private readonly prisma: PrismaClient,
    private readonly source: DataSource = "graph",
  ) {
    this.deps = this.freshDeps();
  }

  nextProcess(): void {
    this.deps = this.freshDeps();
  }

  /** One run of each feed of each customer the worker would sync (lib/sync/worker.ts: Consented or Error). */
  async round(fleet: FleetTenant[]): Promise<RoundResult> {
    const syncable = await this.prisma.customer.findMany({
      where: { id: { in: fleet.map((t) => t.customerId) }, status: { in: ["CONSENTED", "ERROR"] } },
      select: { id: true },
    });
    const jobs = syncable.flatMap((c) => FEEDS.map((feed) => ({ customerId: c.id, feed })));
    const outcomes = await mapLimit(jobs, CONCURRENCY, (j) => runFeedSync(this.deps, j.customerId, j.feed));
    return summarize(outcomes);
  }

  private freshDeps(): SyncDeps {
    const tokens = new TenantTokenClient({
      authorityHost: this.env.sim.url,
      clientId: this.env.app.clientId,
      credential: { kind: "secret", source: "env", secret: this.env.app.clientSecret },
    });
    const api = new MicrosoftApiClient({ tokens, baseUrl: this.env.sim.url, timeoutMs: REQUEST_TIMEOUT_MS });
    return { prisma: this.prisma, tokens, api, source: this.source, intervalMinutes: 5 };
  }
}

function summarize(outcomes: SyncOutcome[]): RoundResult {
  const errors: Record<string, number> = {};
  for (const o of outcomes) if (!o.ok) errors[o.error?.code ?? "?"] = (errors[o.error?.code ?? "?"] ?? 0) + 1;
  return { runs: outcomes.length, failed: outcomes.filter((o) => !o.ok).length, errors };
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
