/**
 * Rows sent to a client component column by column: `{ id: [..50 ids], title: [..50 titles], … }`. Each field name
 * is written once instead of once per row, which is most of what the React payload repeats for a 50-row queue
 * (issue #12 §1). Empty fields travel as null; `fromColumns` gives the browser the rows back, unchanged.
 *
 * A text column with few distinct values (customer, assignee, status, classification…) travels as a dictionary: its
 * values once and one character per row naming the value (`{ d: ["In progress", "Active"], i: "0010…" }`), since the
 * same 40-character assignee written 50 times was a fifth of the payload.
 */
export type Columns<T> = { [K in keyof T]?: Column<T[K]> };
type Column<V> = (V | null)[] | Coded<V>;
type Coded<V> = { d: V[]; i: string };

/** One character per row: the index of its value in `d`, or NULL_MARK for an empty field. */
const CODES = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NULL_MARK = "-";

/** `keys[0]` must be a field every row has (it gives the row count); a column empty in every row is left out. */
export function toColumns<T extends object>(rows: T[], keys: readonly (keyof T)[]): Columns<T> {
  const out = {} as Record<keyof T, unknown>;
  keys.forEach((k, n) => {
    const column = rows.map((r) => r[k] ?? null);
    if (n === 0) out[k] = column;
    else if (column.some((v) => v !== null)) out[k] = encode(column);
  });
  return out as Columns<T>;
}

function encode(column: unknown[]): unknown {
  if (!column.every((v) => v === null || typeof v === "string")) return column;
  const distinct = [...new Set(column.filter((v) => v !== null))];
  // Worth it only for text that repeats; numbers and unique values are shorter as they are.
  if (distinct.length > CODES.length || distinct.length * 2 > column.length) return column;
  const at = new Map(distinct.map((v, n) => [v, CODES[n]!]));
  return { d: distinct, i: column.map((v) => (v === null ? NULL_MARK : at.get(v)!)).join("") };
}

function decode(column: Column<unknown>): unknown[] {
  if (Array.isArray(column)) return column;
  return Array.from(column.i, (c) => (c === NULL_MARK ? null : column.d[CODES.indexOf(c)]));
}

export function fromColumns<T extends object>(cols: Columns<T>): T[] {
  const keys = Object.keys(cols) as (keyof T)[];
  const values = keys.map((k) => decode(cols[k] as Column<unknown>));
  const n = values.length ? values[0]!.length : 0;
  // (Object keys keep their insertion order: the first is toColumns' keys[0], never coded.)
  return Array.from({ length: n }, (_, i) => {
    const row = {} as Record<keyof T, unknown>;
    keys.forEach((k, c) => {
      const v = values[c]![i];
      if (v !== null && v !== undefined) row[k] = v;
    });
    return row as T;
  });
}
