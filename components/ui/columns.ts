/**
 * Rows sent to a client component column by column: `{ id: [..50 ids], title: [..50 titles], … }`. Each field name
 * is written once instead of once per row, which is most of what the React payload repeats for a 50-row queue
 * (issue #12 §1). Empty fields travel as null; `fromColumns` gives the browser the rows back, unchanged.
 *
 * A text column with few distinct values (customer, assignee, status, classification…) travels as a dictionary: its
 * values once and one character per row naming the value (`{ d: ["In progress", "Active"], i: "0010…" }`), since the
 * same 40-character assignee written 50 times was a fifth of the payload. A column of UUIDs (the rows' ids) travels
 * as one string of 22-character base64url values instead of 36-character hex ones.
 */
export type Columns<T> = { [K in keyof T]?: Column<T[K]> };
type Column<V> = (V | null)[] | Coded<V> | Uuids;
type Coded<V> = { d: V[]; i: string };
type Uuids = { u: string };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One character per row: the index of its value in `d`, or NULL_MARK for an empty field. */
const CODES = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NULL_MARK = "-";

/** `keys[0]` must be a field every row has (it gives the row count); a column empty in every row is left out. */
export function toColumns<T extends object>(rows: T[], keys: readonly (keyof T)[]): Columns<T> {
  const out = {} as Record<keyof T, unknown>;
  keys.forEach((k, n) => {
    const column = rows.map((r) => r[k] ?? null);
    if (n === 0 || column.some((v) => v !== null)) out[k] = encode(column);
  });
  return out as Columns<T>;
}

function encode(column: unknown[]): unknown {
  if (!column.every((v) => v === null || typeof v === "string")) return column;
  if (column.length > 0 && column.every((v) => UUID.test(v as string)))
    return { u: column.map((v) => hexToBase64url((v as string).replace(/-/g, ""))).join("") };
  const distinct = [...new Set(column.filter((v) => v !== null))];
  // Worth it only for text that repeats; numbers and unique values are shorter as they are.
  if (distinct.length > CODES.length || distinct.length * 2 > column.length) return column;
  const at = new Map(distinct.map((v, n) => [v, CODES[n]!]));
  return { d: distinct, i: column.map((v) => (v === null ? NULL_MARK : at.get(v)!)).join("") };
}

function decode(column: Column<unknown>): unknown[] {
  if (Array.isArray(column)) return column;
  if ("u" in column) return Array.from({ length: column.u.length / 22 }, (_, n) => toUuid(base64urlToHex(column.u.slice(n * 22, n * 22 + 22))));
  return Array.from(column.i, (c) => (c === NULL_MARK ? null : column.d[CODES.indexOf(c)]));
}

export function fromColumns<T extends object>(cols: Columns<T>): T[] {
  const keys = Object.keys(cols) as (keyof T)[];
  const values = keys.map((k) => decode(cols[k] as Column<unknown>));
  const n = values.length ? values[0]!.length : 0;
  // (Object keys keep their insertion order: the first is toColumns' keys[0].)
  return Array.from({ length: n }, (_, i) => {
    const row = {} as Record<keyof T, unknown>;
    keys.forEach((k, c) => {
      const v = values[c]![i];
      if (v !== null && v !== undefined) row[k] = v;
    });
    return row as T;
  });
}

// 16 bytes as 22 base64url characters (no padding) and back; atob and btoa exist in the browser and in Node.
function hexToBase64url(hex: string): string {
  const bytes = String.fromCharCode(...hex.match(/../g)!.map((h) => parseInt(h, 16)));
  return btoa(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64urlToHex(b64: string): string {
  const bytes = atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "==");
  return Array.from(bytes, (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
}

function toUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
