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
