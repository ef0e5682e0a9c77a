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
  if (column.length > 0 && column.every((v) => UUID.test(v as string))) return { u: column.map((v) => uuidToBase64url(v as string)).join("") };
  const distinct = [...new Set(column.filter((v) => v !== null))];
  // Worth it only for text that repeats; numbers and unique values are shorter as they are.
  if (distinct.length > CODES.length || distinct.length * 2 > column.length) return column;
  const at = new Map(distinct.map((v, n) => [v, CODES[n]!]));
  return { d: distinct, i: column.map((v) => (v === null ? NULL_MARK : at.get(v)!)).join("") };
}

function decode(column: Column<unknown>): unknown[] {
  if (Array.isArray(column)) return column;
  if ("u" in column) return Array.from({ length: column.u.length / 22 }, (_, n) => base64urlToUuid(column.u, n * 22));
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

// 16 bytes as 22 base64url characters (no padding) and back, as btoa/atob would write them, by table: this runs for
// every row id of every queue page, on the server and again in the browser (issue #12 §1).
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX = "0123456789abcdef";
const B64_VALUE = new Int8Array(128).fill(-1);
for (let n = 0; n < 64; n++) B64_VALUE[B64.charCodeAt(n)] = n;

function uuidToBase64url(uuid: string): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < uuid.length; i++) {
    const c = uuid.charCodeAt(i);
    if (c === 45) continue; // "-"
    acc = ((acc << 4) | (c <= 57 ? c - 48 : c - 87)) & 0x3ff; // 0-9, a-f (the UUID test allowed nothing else)
    bits += 4;
    if (bits >= 6) {
      bits -= 6;
      out += B64[(acc >> bits) & 63];
    }
  }
  return bits ? out + B64[(acc << (6 - bits)) & 63] : out;
}

/** The UUID written at `from` in a string of 22-character values. */
function base64urlToUuid(s: string, from: number): string {
  let out = "";
  let digits = 0;
  let acc = 0;
  let bits = 0;
  for (let i = from; i < from + 22; i++) {
    acc = ((acc << 6) | B64_VALUE[s.charCodeAt(i) & 127]!) & 0x3ff;
    bits += 6;
    while (bits >= 4 && digits < 32) {
      bits -= 4;
      if (digits === 8 || digits === 12 || digits === 16 || digits === 20) out += "-";
      out += HEX[(acc >> bits) & 15];
      digits++;
    }
  }
  return out;
}
