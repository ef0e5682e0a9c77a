import type { PrismaClient } from "../db/client.ts";
import type { QuotaWindow, RateLimiter } from "./rate-limiter.ts";

/**
 * Per-tenant API budgets kept in PostgreSQL, so every worker process (and the web process) spends one tenant's quota
 * once (issue 12 §3): Microsoft's limits are per app per tenant (defender-docs api-list-incidents.md "50 calls per
 * minute and 1500 calls per hour"; Graph throttling guidance; api-advanced-hunting.md "at least 45 calls per minute per
 * tenant"), whatever process the call comes from.
 *
 * One row per key (`${tenantId}:${quotaKey}`) holds the times of the calls made in its longest window (epoch ms on the
 * database's clock, the one clock every process shares). Taking a call is one statement: INSERT … ON CONFLICT DO
 * UPDATE locks the row, its WHERE checks every window against the row's latest version, and the update drops the
 * calls that left the longest window and appends this one. No row back = refused: the limiter reads when the oldest
 * call in the full window leaves it, sleeps until then and tries again. Sliding windows, not fixed ones: Microsoft's
 * window starts at a tenant's first call, so a clock-aligned fixed window could let twice the limit through around
 * a boundary. `marginMs` widens every window a little, for the time between taking the budget and the request
 * reaching Microsoft (token, connection).
 *
 * Cost: one round trip per call (two more per refusal); measured in docs/measurements.md.
 */
export class PostgresRateLimiter implements RateLimiter {
  private lastPrune = 0;

  constructor(
    private readonly prisma: Pick<PrismaClient, "$queryRaw" | "$executeRaw">,
    private readonly opts: { marginMs?: number; sleep?: (ms: number) => Promise<void>; pruneEveryMs?: number; idleMs?: number } = {},
  ) {}

  private get marginMs() {
    return this.opts.marginMs ?? 1_000;
  }

  async acquire(key: string, windows: QuotaWindow[]): Promise<void> {
    const spans = windows.map((w) => Math.ceil(w.ms + this.marginMs));
    const limits = windows.map((w) => Math.max(1, Math.floor(w.limit)));
    const longest = Math.max(...spans);
    this.maybePrune();
    for (;;) {
      if (await this.take(key, limits, spans, longest)) return;
      const wait = await this.delayFor(key, limits, spans);
      await (this.opts.sleep ?? sleepReal)(Math.max(wait, 10));
    }
  }

  /** Counts one call for `key` if every window has room; false (nothing counted) otherwise. */
  private async take(key: string, limits: number[], spans: number[], longest: number): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ taken: number }[]>`
      INSERT INTO "ApiBudget" AS b ("key", "calls", "updatedAt")
      SELECT ${key}, ARRAY[t.now], now() FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now) t
      ON CONFLICT ("key") DO UPDATE SET
        "calls" = ARRAY(SELECT c FROM unnest(b."calls") AS c WHERE c > EXCLUDED."calls"[1] - ${longest}::bigint) || EXCLUDED."calls"[1],
        "updatedAt" = now()
      WHERE NOT EXISTS (
        SELECT 1 FROM unnest(${limits}::int[], ${spans}::bigint[]) AS w(lim, span)
        WHERE (SELECT count(*) FROM unnest(b."calls") AS c WHERE c > EXCLUDED."calls"[1] - w.span) >= w.lim
      )
      RETURNING 1 AS taken`;
    return rows.length === 1;
  }

  /** Milliseconds until a call for `key` fits every window (0 if it fits now). */
  private async delayFor(key: string, limits: number[], spans: number[]): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ calls: (bigint | number)[] | null; now: bigint | number }[]>`
      SELECT "calls", (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now FROM "ApiBudget" WHERE "key" = ${key}`;
    const row = rows[0];
    if (!row) return 0;
    const now = Number(row.now);
    const calls = (row.calls ?? []).map(Number).sort((a, b) => a - b);
    let wait = 0;
    spans.forEach((span, i) => {
      const inWindow = calls.filter((c) => c > now - span);
      const limit = limits[i]!;
      if (inWindow.length >= limit) wait = Math.max(wait, inWindow[inWindow.length - limit]! + span - now);
    });
    return wait;
  }

  /** Now and then (every `pruneEveryMs`, default 10 minutes, per process): drops budgets idle for `idleMs`. */
  private maybePrune() {
    const now = Date.now();
    if (now - this.lastPrune < (this.opts.pruneEveryMs ?? 10 * 60_000)) return;
    this.lastPrune = now;
    pruneApiBudgets(this.prisma, this.opts.idleMs).catch(() => {
      // Best effort: the next prune (or the next process's) tries again.
    });
  }
}

/** Deletes the budgets of keys without a call for `idleMs` (default two hours: longer than the longest window, an hour). */
export async function pruneApiBudgets(prisma: Pick<PrismaClient, "$executeRaw">, idleMs = 2 * 3_600_000): Promise<number> {
  return prisma.$executeRaw`DELETE FROM "ApiBudget" WHERE "updatedAt" < now() - make_interval(secs => ${idleMs / 1000}::double precision)`;
}

function sleepReal(ms: number) {
  return new Promise<void>((r) => setTimeout(r, ms));
}
