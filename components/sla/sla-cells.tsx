import { clockState, formatDuration } from "@/lib/sla/policy";
import { formatDateTime } from "../ui/primitives";

export interface SlaFields {
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  slaAckDueAt: Date | null;
  slaResolveDueAt: Date | null;
  slaNextDueAt: Date | null;
}

/** Which running clock the next deadline belongs to. */
function nextClock(i: SlaFields): "acknowledge" | "resolve" | null {
  if (!i.slaNextDueAt) return null;
  if (!i.acknowledgedAt && i.slaAckDueAt && i.slaAckDueAt.getTime() === i.slaNextDueAt.getTime()) return "acknowledge";
  return "resolve";
}

/** The queue's header cells for the SLA columns. */
export function SlaHeaderCells() {
  return (
    <>
      <th className="px-3 py-2">SLA due</th>
      <th className="px-3 py-2">Time left</th>
    </>
  );
}

/** The queue's SLA cells: the next running deadline, and the time left or how long ago it passed (breached). */
export function SlaCells({ incident, now }: { incident: SlaFields; now: Date }) {
  const which = nextClock(incident);
  if (!which || !incident.slaNextDueAt) {
    const missed = [clockState(incident.slaAckDueAt, incident.acknowledgedAt, now), clockState(incident.slaResolveDueAt, incident.resolvedAt, now)];
    const late = missed.includes("breached");
    return (
      <>
        <td className="whitespace-nowrap px-3 py-2 text-xs text-slate-500">{incident.slaAckDueAt ? "—" : "No SLA"}</td>
        <td className="whitespace-nowrap px-3 py-2 text-xs" data-testid="sla-left">
          {!incident.slaAckDueAt ? null : late ? <span className="text-amber-800">Missed (done late)</span> : <span className="text-emerald-700">Met</span>}
        </td>
      </>
    );
  }
  const left = incident.slaNextDueAt.getTime() - now.getTime();
  return (
    <>
      <td className="whitespace-nowrap px-3 py-2 text-xs" data-testid="sla-due">
        {formatDateTime(incident.slaNextDueAt)}
        <div className="text-slate-500">to {which}</div>
      </td>
      <td className="whitespace-nowrap px-3 py-2 text-xs" data-testid="sla-left">
        {left <= 0 ? (
          <span className="rounded bg-red-100 px-1.5 py-0.5 font-semibold text-red-800" data-testid="sla-breached">
            Breached {formatDuration(left)} ago
          </span>
        ) : (
          <span className={left <= 3_600_000 ? "font-semibold text-amber-800" : "text-slate-700"}>{formatDuration(left)} left</span>
        )}
      </td>
    </>
  );
}

/** The SLA filter inside the queue's filter form. */
export function SlaFilterSelect({ value }: { value: string }) {
  return (
    <label className="text-xs font-medium text-slate-700">
      SLA
      <select name="sla" defaultValue={value} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm" data-testid="sla-filter">
        <option value="any">Any</option>
        <option value="breaching">Breaching within 1 h</option>
        <option value="breached">Breached</option>
      </select>
    </label>
  );
}

export const SLA_SORT = { value: "slaNextDueAt", label: "SLA time left" };

/** What the SLA columns can and cannot know. */
export function SlaPrecisionNote({ intervalMinutes }: { intervalMinutes: number }) {
  return (
    <p className="mb-2 text-xs text-slate-500" data-testid="sla-precision">
      SLA times are measured from what each sync observes: precise to one sync interval ({intervalMinutes} min). &quot;Breached&quot; lists incidents whose
      acknowledge or resolve deadline passed while still open; sort by &quot;SLA time left&quot;, oldest first, for the most urgent.
    </p>
  );
}
