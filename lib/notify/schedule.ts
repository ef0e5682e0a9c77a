/**
 * Time arithmetic for rules, pure: quiet hours in a time zone, digest windows, retry backoff. Zone arithmetic is the
 * SLA calendar's (lib/sla/calendar.ts), DST-safe.
 */
import { localParts, zonedInstant } from "../sla/calendar.ts";

export { isValidTimeZone } from "../sla/calendar.ts";

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function parseHhmm(v: string): number | null {
  const m = HHMM.exec(v);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/**
 * When quiet hours [start, end) in `timeZone` hold `at`, the instant they end (the end's local time on the right
 * civil day, across DST changes); else null. A window may wrap midnight (22:00–07:00).
 */
export function quietUntil(at: Date, quiet: { start: string | null; end: string | null; timeZone: string }): Date | null {
  if (!quiet.start || !quiet.end) return null;
  const start = parseHhmm(quiet.start);
  const end = parseHhmm(quiet.end);
  if (start === null || end === null || start === end) return null;
  const p = localParts(at.getTime(), quiet.timeZone);
  const minutes = p.h * 60 + p.min;
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!inside) return null;
  // The end falls today, or tomorrow when the window wraps midnight and we are before it.
  const day = new Date(Date.UTC(p.y, p.m - 1, p.d + (minutes >= end ? 1 : 0)));
  return new Date(zonedInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), Math.floor(end / 60), end % 60, quiet.timeZone));
}

/** The end of the digest window holding `at` (windows of N minutes aligned to the epoch, so every worker agrees). */
export function digestWindowEnd(at: Date, minutes: number): Date {
  const size = minutes * 60_000;
  return new Date(Math.floor(at.getTime() / size) * size + size);
}

/** Exponential backoff with full jitter's upper half: base·2^(attempt-1), capped, times 0.5–1. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.5 + random() * 0.5));
}
