/**
 * Sliding-window limiter per key (tenant × API). `acquire` waits until a call fits every window. In-process: pg-boss
 * runs at most one sync per tenant and feed at a time, so one process holds a tenant's budget while it syncs.
 */
export class SlidingWindowLimiter {
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
