/** Runs `fn` over `items` with at most `limit` at a time (bulk triage per tenant, hunting fan-out). */
export async function pool<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const t = items[next++]!;
      await fn(t);
    }
  });
  await Promise.all(lanes);
}

/**
 * At most `size` holders at once; the others wait in arrival order. The sync worker's Microsoft calls share one per
 * process (SYNC_CONCURRENCY), so feeds that are storing do not hold a call slot.
 */
export class Semaphore {
  private held = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  async acquire(): Promise<() => void> {
    if (this.held < this.size) this.held += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter: `held` stays the same.
      if (next) next();
      else this.held -= 1;
    };
  }
}
