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

/*
 * Loops, not map/forEach callbacks, and helpers called with `#__NOINLINE__`: these run for every row of every queue
 * page. A callback made inside a function loses its optimized code at each full garbage collection once its last
 * instance is gone, and the production minifier turns a helper used once into such a closure at its call site; under
 * load the web process was compiling them again about once a second (docs/measurements.md, seventh pass).
 */

/** `keys[0]` must be a field every row has (it gives the row count); a column empty in every row is left out. */
export function toColumns<T extends object>(rows: T[], keys: readonly (keyof T)[]): Columns<T> {
  const out = {} as Record<keyof T, unknown>;
  for (let n = 0; n < keys.length; n++) {
    const k = keys[n]!;
    const column: unknown[] = new Array(rows.length);
    let any = false;
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r]![k] ?? null;
      column[r] = v;
      if (v !== null) any = true;
    }
    if (n === 0 || any) out[k] = /*#__NOINLINE__*/ encodeColumn(column);
  }
  return out as Columns<T>;
}

export function encodeColumn(column: unknown[]): unknown {
  let texts = true;
  let uuids = column.length > 0;
  for (const v of column) {
    if (v === null) uuids = false;
    else if (typeof v !== "string") texts = false;
    else if (uuids && !UUID.test(v)) uuids = false;
  }
  if (!texts) return column;
  if (uuids) {
    let u = "";
    for (const v of column) u += /*#__NOINLINE__*/ uuidToBase64url(v as string);
    return { u };
  }
  const at = new Map<unknown, string>();
  const distinct: unknown[] = [];
  for (const v of column) {
    if (v === null || at.has(v)) continue;
    // Worth it only for text that repeats; numbers and unique values are shorter as they are.
    if (distinct.length === CODES.length || (distinct.length + 1) * 2 > column.length) return column;
    at.set(v, CODES[distinct.length]!);
    distinct.push(v);
  }
  let i = "";
  for (const v of column) i += v === null ? NULL_MARK : at.get(v)!;
  return { d: distinct, i };
}

export function decodeColumn(column: Column<unknown>): unknown[] {
  if (Array.isArray(column)) return column;
  const out: unknown[] = [];
  if ("u" in column) {
    for (let from = 0; from < column.u.length; from += 22) out.push(/*#__NOINLINE__*/ base64urlToUuid(column.u, from));
    return out;
  }
  for (let n = 0; n < column.i.length; n++) {
    const c = column.i[n]!;
    out.push(c === NULL_MARK ? null : column.d[CODES.indexOf(c)]);
  }
  return out;
}

export function fromColumns<T extends object>(cols: Columns<T>): T[] {
  // (Object keys keep their insertion order: the first is toColumns' keys[0].)
  const keys = Object.keys(cols) as (keyof T)[];
  const values: unknown[][] = [];
  for (const k of keys) values.push(/*#__NOINLINE__*/ decodeColumn(cols[k] as Column<unknown>));
  const n = values.length ? values[0]!.length : 0;
  const rows: T[] = [];
  for (let i = 0; i < n; i++) {
    const row = {} as Record<keyof T, unknown>;
    for (let c = 0; c < keys.length; c++) {
      const v = values[c]![i];
      if (v !== null && v !== undefined) row[keys[c]!] = v;
    }
    rows.push(row as T);
  }
  return rows;
}

// 16 bytes as 22 base64url characters (no padding) and back, as btoa/atob would write them, by table: this runs for
// every row id of every queue page, on the server and again in the browser (issue #12 §1).
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX = "0123456789abcdef";
const B64_VALUE = new Int8Array(128).fill(-1);
for (let n = 0; n < 64; n++) B64_VALUE[B64.charCodeAt(n)] = n;

export function uuidToBase64url(uuid: string): string {
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
export function base64urlToUuid(s: string, from = 0): string {
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
