/**
 * Business-minute arithmetic for SLA clocks. Pure (no database, no Next): the sync hook, the SLA job, the admin page
 * and the unit tests share it. Zone offsets come from Intl.DateTimeFormat, so daylight-saving changes are the
 * runtime's tz database's, not ours: a business day is the local wall-clock window, however long the day is.
 */

/** ISO weekdays: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface BusinessCalendar {
  days: IsoWeekday[];
  /** "HH:MM", local time in `timeZone`; the window is [start, end) on each listed day (no overnight windows). */
  start: string;
  end: string;
  /** IANA zone, e.g. "Europe/Berlin". */
  timeZone: string;
}

const MINUTE = 60_000;
/** A deadline further out than this is a configuration mistake (no business day listed); give up rather than loop. */
const MAX_DAYS = 3 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Is this an IANA zone the runtime knows? */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface LocalParts {
  y: number;
  m: number; // 1-12
  d: number;
  h: number;
  min: number;
  s: number;
}

export function localParts(instant: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) if (p.type !== "literal") out[p.type] = Number(p.value);
  return { y: out.year!, m: out.month!, d: out.day!, h: out.hour! % 24, min: out.minute!, s: out.second! };
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +2 h). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a local wall-clock time names. A time skipped by a spring-forward change is read with the offset
 * before the change (02:30 → 03:30 in Berlin); a repeated time at fall-back takes its first occurrence.
 */
export function zonedInstant(y: number, m: number, d: number, h: number, min: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d, h, min);
  // Zone changes are months apart: the offsets half a day either side are the only two candidates.
  const before = zoneOffsetMs(guess - 12 * 3_600_000, timeZone);
  const after = zoneOffsetMs(guess + 12 * 3_600_000, timeZone);
  const matches = [guess - before, guess - after].filter((t) => {
    const p = localParts(t, timeZone);
    return p.y === y && p.m === m && p.d === d && p.h === h && p.min === min;
  });
  return matches.length ? Math.min(...matches) : guess - before;
}

function hhmm(value: string): [number, number] {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!m) throw new Error(`Bad time of day: ${value}`);
  return [Number(m[1]), Number(m[2])];
}

/** ISO weekday of a civil date (independent of zones). */
function isoWeekday(y: number, m: number, d: number): IsoWeekday {
  const w = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return (w === 0 ? 7 : w) as IsoWeekday;
}

function nextCivilDay(y: number, m: number, d: number): [number, number, number] {
  const t = new Date(Date.UTC(y, m - 1, d + 1));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

/**
 * `minutes` of SLA time after `start`: wall-clock minutes without a calendar (24x7), business minutes with one. A
 * clock started outside business hours begins at the next window's opening.
 */
export function addBusinessMinutes(start: Date, minutes: number, calendar: BusinessCalendar | null): Date {
  if (!calendar) return new Date(start.getTime() + minutes * MINUTE);
  const [sh, sm] = hhmm(calendar.start);
  const [eh, em] = hhmm(calendar.end);
  if (eh * 60 + em <= sh * 60 + sm) throw new Error("A business day must end after it starts.");
  const days = new Set(calendar.days);
  if (days.size === 0) throw new Error("A business calendar needs at least one weekday.");
  let remaining = minutes * MINUTE;
  const cursor = start.getTime();
  const first = localParts(cursor, calendar.timeZone);
  let [y, m, d] = [first.y, first.m, first.d];
  for (let i = 0; i < MAX_DAYS; i++) {
    if (days.has(isoWeekday(y, m, d))) {
      const open = zonedInstant(y, m, d, sh, sm, calendar.timeZone);
      const close = zonedInstant(y, m, d, eh, em, calendar.timeZone);
      if (cursor < close) {
        const from = Math.max(cursor, open);
        const available = close - from;
        if (remaining <= available) return new Date(from + remaining);
        remaining -= available;
      }
    }
    [y, m, d] = nextCivilDay(y, m, d);
  }
  throw new Error("No business time within three years: check the calendar.");
}

/** Business minutes between two instants (0 when `to` is not after `from`). */
export function businessMinutesBetween(from: Date, to: Date, calendar: BusinessCalendar | null): number {
  if (to <= from) return 0;
  if (!calendar) return (to.getTime() - from.getTime()) / MINUTE;
  const [sh, sm] = hhmm(calendar.start);
  const [eh, em] = hhmm(calendar.end);
  const days = new Set(calendar.days);
  let total = 0;
  const first = localParts(from.getTime(), calendar.timeZone);
  let [y, m, d] = [first.y, first.m, first.d];
  for (let i = 0; i < MAX_DAYS; i++) {
    const dayStart = zonedInstant(y, m, d, 0, 0, calendar.timeZone);
    if (dayStart >= to.getTime()) break;
    if (days.has(isoWeekday(y, m, d))) {
      const open = Math.max(zonedInstant(y, m, d, sh, sm, calendar.timeZone), from.getTime());
      const close = Math.min(zonedInstant(y, m, d, eh, em, calendar.timeZone), to.getTime());
      if (close > open) total += close - open;
    }
    [y, m, d] = nextCivilDay(y, m, d);
  }
  return total / MINUTE;
}
