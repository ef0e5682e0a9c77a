import { z } from "zod";
import { addBusinessMinutes, isValidTimeZone, type BusinessCalendar, type IsoWeekday } from "./calendar.ts";

/**
 * SLA policies: what they hold, their defaults, and the deadlines they give an incident. Pure and shared (the admin
 * form's client code may import the schema and labels).
 */
export const SLA_SEVERITIES = ["high", "medium", "low", "informational"] as const;
export type SlaSeverity = (typeof SLA_SEVERITIES)[number];

export interface SlaTarget {
  ackMinutes: number;
  resolveMinutes: number;
}
export type SlaTargets = Record<SlaSeverity, SlaTarget>;

export interface SlaPolicyRule {
  targets: SlaTargets;
  /** null = 24x7. */
  calendar: BusinessCalendar | null;
}

/** The partner default until an admin saves one: high 15 min / 4 h, medium 1 h / 24 h, low 4 h / 72 h, informational 24 h / 7 d. */
export const DEFAULT_TARGETS: SlaTargets = {
  high: { ackMinutes: 15, resolveMinutes: 4 * 60 },
  medium: { ackMinutes: 60, resolveMinutes: 24 * 60 },
  low: { ackMinutes: 4 * 60, resolveMinutes: 72 * 60 },
  informational: { ackMinutes: 24 * 60, resolveMinutes: 7 * 24 * 60 },
};
export const DEFAULT_POLICY: SlaPolicyRule = { targets: DEFAULT_TARGETS, calendar: null };

/** Minutes up to a year: enough for any contract, small enough to catch a typo. */
const minutes = z.coerce.number().int("Whole minutes only.").min(1, "At least 1 minute.").max(525_600, "At most a year (525,600 minutes).");
const target = z
  .object({ ackMinutes: minutes, resolveMinutes: minutes })
  .refine((t) => t.resolveMinutes >= t.ackMinutes, { message: "Time to resolve must be at least the time to acknowledge.", path: ["resolveMinutes"] });

export const slaTargetsSchema = z.object({ high: target, medium: target, low: target, informational: target });

export const businessCalendarSchema = z
  .object({
    days: z
      .array(z.coerce.number().int().min(1).max(7))
      .min(1, "Choose at least one business day.")
      .transform((d) => [...new Set(d)].sort() as IsoWeekday[]),
    start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use HH:MM (24-hour)."),
    end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use HH:MM (24-hour)."),
    timeZone: z.string().trim().min(1).max(64).refine(isValidTimeZone, "Unknown time zone: use an IANA name such as Europe/Berlin."),
  })
  .refine((c) => c.end > c.start, { message: "The business day must end after it starts.", path: ["end"] });

export const slaPolicySchema = z.object({ targets: slaTargetsSchema, calendar: businessCalendarSchema.nullable() });

/** A stored policy row's JSON, read defensively: anything malformed falls back to the default targets / 24x7. */
export function policyFromStored(row: { targets: unknown; calendar: unknown }): SlaPolicyRule {
  const targets = slaTargetsSchema.safeParse(row.targets);
  const calendar = row.calendar === null || row.calendar === undefined ? null : businessCalendarSchema.safeParse(row.calendar);
  return {
    targets: targets.success ? targets.data : DEFAULT_TARGETS,
    calendar: calendar && calendar.success ? (calendar.data as BusinessCalendar) : null,
  };
}

/** Microsoft's "unknown" (and anything unexpected) is held to the informational targets. */
export function slaSeverity(severity: string | null | undefined): SlaSeverity {
  return (SLA_SEVERITIES as readonly string[]).includes(severity ?? "") ? (severity as SlaSeverity) : "informational";
}

export interface SlaDue {
  ackDueAt: Date;
  resolveDueAt: Date;
}

/**
 * An incident's deadlines under the policies that apply to its customer. Several policies (a customer in several
 * groups): the strictest wins, deadline by deadline — each is the earliest any policy gives, computed with that
 * policy's own calendar, so "Gold 24x7" beats "Business hours" at night and the shorter target wins by day.
 */
export function dueTimes(createdTime: Date, severity: string | null | undefined, policies: readonly SlaPolicyRule[]): SlaDue {
  const rules = policies.length ? policies : [DEFAULT_POLICY];
  const sev = slaSeverity(severity);
  let ack = Infinity;
  let resolve = Infinity;
  for (const p of rules) {
    const t = p.targets[sev];
    ack = Math.min(ack, addBusinessMinutes(createdTime, t.ackMinutes, p.calendar).getTime());
    resolve = Math.min(resolve, addBusinessMinutes(createdTime, t.resolveMinutes, p.calendar).getTime());
  }
  return { ackDueAt: new Date(ack), resolveDueAt: new Date(resolve) };
}

export type SlaClockState = "met" | "breached" | "running" | "overdue";

/** One clock's state: met (done in time), breached (done late), running (not done, time left), overdue (not done, late). */
export function clockState(dueAt: Date | null, doneAt: Date | null, now: Date): SlaClockState | null {
  if (!dueAt) return null;
  if (doneAt) return doneAt <= dueAt ? "met" : "breached";
  return now <= dueAt ? "running" : "overdue";
}

/** "2 h 5 min", "3 d 4 h", "45 min" — a duration in words for the queue and incident page. */
export function formatDuration(ms: number): string {
  const total = Math.round(Math.abs(ms) / 60_000);
  if (total < 60) return `${total} min`;
  const h = Math.floor(total / 60);
  if (h < 48) return `${h} h${total % 60 ? ` ${total % 60} min` : ""}`;
  const d = Math.floor(h / 24);
  return `${d} d${h % 24 ? ` ${h % 24} h` : ""}`;
}
