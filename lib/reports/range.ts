import { z } from "zod";

/**
 * A report's range: whole UTC days [from, to] inclusive, over Incident.createdTime. Default: the previous calendar
 * month. Pure, shared by the page, the routes and the monthly e-mail job.
 */
export interface ReportRange {
  /** YYYY-MM-DD */
  from: string;
  /** YYYY-MM-DD, inclusive */
  to: string;
}

/** The longest range one report covers (a year and a day: leap years). */
export const MAX_REPORT_DAYS = 366;
const DAY = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

const isDate = (v: string) => DATE_RE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

export function previousMonth(now = new Date()): ReportRange {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

/** Query-string range: bad or missing values fall back to the previous month; reversed or too long ranges are refused. */
export function parseReportRange(
  params: Record<string, string | string[] | undefined>,
  now = new Date(),
): { ok: true; range: ReportRange } | { ok: false; error: string } {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const from = one(params.from);
  const to = one(params.to);
  if (!from && !to) return { ok: true, range: previousMonth(now) };
  const parsed = z.object({ from: z.string().refine(isDate), to: z.string().refine(isDate) }).safeParse({ from: from ?? "", to: to ?? "" });
  if (!parsed.success) return { ok: false, error: "Give both dates as YYYY-MM-DD." };
  const r = parsed.data;
  const days = rangeDays(r);
  if (days < 1) return { ok: false, error: "The range must end on or after its start." };
  if (days > MAX_REPORT_DAYS) return { ok: false, error: `A report covers at most ${MAX_REPORT_DAYS} days.` };
  return { ok: true, range: r };
}

export function rangeBounds(r: ReportRange): { start: Date; end: Date } {
  return { start: new Date(`${r.from}T00:00:00Z`), end: new Date(Date.parse(`${r.to}T00:00:00Z`) + DAY) };
}

export function rangeDays(r: ReportRange): number {
  const { start, end } = rangeBounds(r);
  return Math.round((end.getTime() - start.getTime()) / DAY);
}

export function rangeQuery(r: ReportRange): string {
  return `from=${r.from}&to=${r.to}`;
}
