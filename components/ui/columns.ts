/**
 * Rows sent to a client component column by column: `{ id: [..50 ids], title: [..50 titles], … }`. Each field name
 * is written once instead of once per row, which is most of what the React payload repeats for a 50-row queue
 * (issue #12 §1). Empty fields travel as null; `fromColumns` gives the browser the rows back, unchanged.
 */
export type Columns<T> = { [K in keyof T]?: (T[K] | null)[] };

/** `keys[0]` must be a field every row has (it gives the row count); a column empty in every row is left out. */
export function toColumns<T extends object>(rows: T[], keys: readonly (keyof T)[]): Columns<T> {
  const out = {} as Record<keyof T, unknown[]>;
  keys.forEach((k, n) => {
    const column = rows.map((r) => r[k] ?? null);
    if (n === 0 || column.some((v) => v !== null)) out[k] = column;
  });
  return out as Columns<T>;
}

export function fromColumns<T extends object>(cols: Columns<T>): T[] {
  const keys = Object.keys(cols) as (keyof T)[];
  const n = keys.length ? (cols[keys[0]!] as unknown[]).length : 0;
  // (Object keys keep their insertion order: the first is toColumns' keys[0].)
  return Array.from({ length: n }, (_, i) => {
    const row = {} as Record<keyof T, unknown>;
    for (const k of keys) {
      const v = (cols[k] as unknown[])[i];
      if (v !== null) row[k] = v;
    }
    return row as T;
  });
}
