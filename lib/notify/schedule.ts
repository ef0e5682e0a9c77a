/**
 * Time arithmetic for rules, pure: quiet hours in a time zone, digest windows, retry backoff.
 */
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function parseHhmm(v: string): number | null {
  const m = HHMM.exec(v);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Minutes since local midnight (and seconds into the minute) of `at` in `timeZone`. */
function localClock(at: Date, timeZone: string): { minutes: number; seconds: number } {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { minutes: get("hour") * 60 + get("minute"), seconds: get("second") };
}

/**
 * When quiet hours [start, end) in `timeZone` hold `at`, the instant they end; else null. A window may wrap midnight
 * (22:00–07:00). Across a DST change inside the window the end can be off by the shift (an hour at most): deliveries
 * are then released up to an hour early or late, never dropped.
 */
export function quietUntil(at: Date, quiet: { start: string | null; end: string | null; timeZone: string }): Date | null {
  if (!quiet.start || !quiet.end) return null;
  const start = parseHhmm(quiet.start);
  const end = parseHhmm(quiet.end);
  if (start === null || end === null || start === end) return null;
  const { minutes, seconds } = localClock(at, quiet.timeZone);
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!inside) return null;
  const untilEnd = (end - minutes + 1440) % 1440;
  return new Date(at.getTime() + untilEnd * 60_000 - seconds * 1000 - (at.getTime() % 1000));
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
