/** A window of a documented quota: at most `limit` calls in any `ms` milliseconds. */
export interface QuotaWindow {
  limit: number;
  ms: number;
}

/**
 * What the API client needs of a limiter: `acquire` resolves when one call for `key` (`${tenantId}:${quotaKey}`) fits
 * every window, and counts it. SlidingWindowLimiter keeps the budget in this process (unit tests, no database);
 * PostgresRateLimiter (shared-limiter.ts) keeps it in PostgreSQL, shared by every worker and web process.
 */
export interface RateLimiter {
  acquire(key: string, windows: QuotaWindow[]): Promise<void>;
}

/**
 * Sliding-window limiter per key (tenant × API), in this process only. `acquire` waits until a call fits every window.
 */
export class SlidingWindowLimiter implements RateLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  ) {}

  /** How long the next call for `key` must wait under `windows` ([{limit, ms}]), 0 when it may go now. */
  delayFor(key: string, windows: { limit: number; ms: number }[]): number {
    const t = this.now();
    const log = this.calls.get(key) ?? [];
    let wait = 0;
    for (const w of windows) {
      const inWindow = log.filter((c) => c > t - w.ms);
      if (inWindow.length >= w.limit) wait = Math.max(wait, inWindow[inWindow.length - w.limit]! + w.ms - t);
    }
    return wait;
  }

  async acquire(key: string, windows: { limit: number; ms: number }[]): Promise<void> {
    for (;;) {
      const wait = this.delayFor(key, windows);
      if (wait <= 0) break;
      await this.sleep(wait);
    }
    const longest = Math.max(...windows.map((w) => w.ms));
    const t = this.now();
    const log = (this.calls.get(key) ?? []).filter((c) => c > t - longest);
    log.push(t);
    this.calls.set(key, log);
  }
}
