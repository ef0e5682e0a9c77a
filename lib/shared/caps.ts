import type { NormalizedAlert, NormalizedIncident } from "../sync/model.ts";

/**
 * Bounds at ingest: customer data is hostile, and a megabyte title or command line would otherwise be stored, indexed
 * (the title's trigram index), exported and sent to every browser that lists it. Text longer than its limit is cut
 * before it is stored, ending in a visible marker ("… [cut: N characters]", N = characters dropped), so the queue, the
 * detail page (InertText shows the marker even when it cuts for display) and CSV exports all say that it was cut.
 * A stored value is never longer than its limit, marker included, so cutting again changes nothing.
 */
export const LIMITS = {
  /** Incident and alert titles (no documented Microsoft maximum; a title longer than this is not a title). */
  title: 1_000,
  /** Comment texts: the same bound the portal's own triage comments have (lib/data/triage.ts). */
  comment: 10_000,
  /** Process command lines: Windows' documented maximum (CreateProcessW, lpCommandLine: 32,767 characters). */
  commandLine: 32_767,
  /** Tags. */
  tag: 200,
  /** Any other string inside the stored payload (descriptions, paths, evidence fields). */
  string: 32_767,
  /** Object keys inside the payload (Graph evidence of an unknown type keeps its raw field names). */
  key: 200,
  /** An enum value none of Microsoft's pages lists (kept, but it sits in a B-tree index: PostgreSQL refuses ~2.7 kB rows). */
  enumValue: 100,
} as const;

const MARKER = /… \[cut: (\d+) characters\]$/;
const marker = (omitted: number) => `… [cut: ${omitted} characters]`;

/** `value` if it fits in `max` characters; otherwise its start plus the marker, `max` characters in all. */
export function capText(value: string, max: number): string {
  if (value.length <= max) return value;
  // The marker's length depends on the count it names: settle it (two rounds at most), then fill up to `max`.
  let keep = max - marker(value.length).length;
  keep = max - marker(value.length - keep).length;
  // Never split a surrogate pair (a lone half would be invalid UTF-16 in JSON and PostgreSQL).
  const code = value.charCodeAt(keep - 1);
  if (code >= 0xd800 && code <= 0xdbff) keep -= 1;
  return value.slice(0, keep) + marker(value.length - keep);
}

/** Splits a stored text into what was kept and how many characters were cut at ingest (null when none). */
export function splitCut(value: string): { text: string; cut: number | null } {
  const m = MARKER.exec(value);
  return m ? { text: value.slice(0, m.index), cut: Number(m[1]) } : { text: value, cut: null };
}

function limitFor(key: string): number {
  if (key === "comment") return LIMITS.comment;
  if (/commandline$/i.test(key)) return LIMITS.commandLine;
  return LIMITS.string;
}

/**
 * Every string inside a payload cut by its key (comments, command lines, the rest), object keys too. Parts with nothing
 * to cut are returned as they are (no copy): the sync bounds every page it stores, and almost nothing needs cutting.
 */
export function boundPayload<T>(value: T, key = ""): T {
  if (typeof value === "string") return capText(value, limitFor(key)) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const bounded = boundPayload(v, key);
      if (bounded !== v && !out) out = value.slice(0, i);
      out?.push(bounded);
    }
    return (out ?? value) as T;
  }
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const entries = Object.entries(value);
    let out: Record<string, unknown> | null = null;
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[i]!;
      const boundedKey = capText(k, LIMITS.key);
      const bounded = boundPayload(v, boundedKey);
      if ((bounded !== v || boundedKey !== k) && !out) out = Object.fromEntries(entries.slice(0, i));
      if (out) out[boundedKey] = bounded;
    }
    return (out ?? value) as T;
  }
  return value;
}

const capOrNull = (v: string | null, max: number) => (v === null ? null : capText(v, max));

export function boundAlert(a: NormalizedAlert): NormalizedAlert {
  return {
    ...a,
    title: capText(a.title, LIMITS.title),
    category: capOrNull(a.category, LIMITS.tag),
    serviceSource: capOrNull(a.serviceSource, LIMITS.tag),
    detectionSource: capOrNull(a.detectionSource, LIMITS.tag),
    assignedTo: capOrNull(a.assignedTo, LIMITS.tag),
    payload: boundPayload(a.payload),
  };
}

/** The incident's own fields; its alerts are bounded too (idempotent, so alerts bounded before stay as they are). */
export function boundIncident(i: NormalizedIncident): NormalizedIncident {
  return {
    ...i,
    title: capText(i.title, LIMITS.title),
    assignedTo: capOrNull(i.assignedTo, LIMITS.tag),
    tags: [...new Set(i.tags.map((t) => capText(t, LIMITS.tag)))],
    payload: boundPayload(i.payload),
    alerts: i.alerts.map(boundAlert),
  };
}
