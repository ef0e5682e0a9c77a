import { clockState, formatDuration } from "@/lib/sla/policy";
import { epochMinutes } from "../ui/primitives";

export interface SlaFields {
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  slaAckDueAt: Date | null;
  slaResolveDueAt: Date | null;
  slaNextDueAt: Date | null;
}

/**
 * What the queue's two SLA cells show, decided on the server (one `now` for the whole page, so the HTML and the
 * hydrated rows agree): no SLA; both clocks stopped (met, or missed and done late); or the next running deadline with
 * the time left ("soon" within the hour) or how long ago it passed.
 */
export type SlaCell = { state: "none" | "met" | "missed" } | RunningSla;
export interface RunningSla {
  state: "running" | "soon" | "breached";
  /** The deadline in minutes since the epoch (the table shows minutes; a number is a third of the formatted text). */
  due: number;
  clock: "acknowledge" | "resolve";
  left: string;
}

/** Which running clock the next deadline belongs to. */
function nextClock(i: SlaFields): "acknowledge" | "resolve" | null {
  if (!i.slaNextDueAt) return null;
  if (!i.acknowledgedAt && i.slaAckDueAt && i.slaAckDueAt.getTime() === i.slaNextDueAt.getTime()) return "acknowledge";
  return "resolve";
}

export function slaCell(incident: SlaFields, now: Date): SlaCell {
  const clock = nextClock(incident);
  if (!clock || !incident.slaNextDueAt) {
    if (!incident.slaAckDueAt) return { state: "none" };
    const missed = [clockState(incident.slaAckDueAt, incident.acknowledgedAt, now), clockState(incident.slaResolveDueAt, incident.resolvedAt, now)];
    return { state: missed.includes("breached") ? "missed" : "met" };
  }
  const left = incident.slaNextDueAt.getTime() - now.getTime();
  return {
    state: left <= 0 ? "breached" : left <= 3_600_000 ? "soon" : "running",
    due: epochMinutes(incident.slaNextDueAt),
    clock,
    left: formatDuration(left),
  };
}
