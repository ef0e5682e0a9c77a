import type { IncidentSlaView } from "@/lib/data/sla";
import { clockState, formatDuration, type SlaClockState } from "@/lib/sla/policy";
import { Card, formatDateTime } from "../ui/primitives";

const TONE: Record<SlaClockState, string> = {
  met: "bg-emerald-100 text-emerald-800",
  breached: "bg-red-100 text-red-800",
  running: "bg-slate-100 text-slate-800",
  overdue: "bg-red-100 text-red-800",
};

function Clock({ name, dueAt, doneAt, now, testId }: { name: string; dueAt: Date | null; doneAt: Date | null; now: Date; testId: string }) {
  const state = clockState(dueAt, doneAt, now);
  if (!state || !dueAt) return null;
  const words =
    state === "met"
      ? `Met (${formatDuration(dueAt.getTime() - doneAt!.getTime())} to spare)`
      : state === "breached"
        ? `Breached (${formatDuration(doneAt!.getTime() - dueAt.getTime())} late)`
        : state === "running"
          ? `${formatDuration(dueAt.getTime() - now.getTime())} left`
          : `Breached ${formatDuration(now.getTime() - dueAt.getTime())} ago`;
  return (
    <div data-testid={testId}>
      <dt className="text-slate-500">{name}</dt>
      <dd>
        Due {formatDateTime(dueAt)}{" "}
        <span className={`ml-1 rounded px-1.5 py-0.5 text-xs font-semibold ${TONE[state]}`} data-state={state}>
          {words}
        </span>
        {doneAt && <div className="text-xs text-slate-500">Done {formatDateTime(doneAt)}</div>}
      </dd>
    </div>
  );
}

/** The incident's SLA clocks: acknowledge and resolve deadlines, met or breached, or the time left. */
export function SlaStateCard({ sla, intervalMinutes, now = new Date() }: { sla: IncidentSlaView; intervalMinutes: number; now?: Date }) {
  return (
    <Card title="SLA">
      <div data-testid="sla-state">
        {!sla.ackDueAt ? (
          <p className="text-sm text-slate-600">Deadlines are being computed (within a minute of a policy change).</p>
        ) : (
          <dl className="space-y-2 text-sm">
            <Clock name="Acknowledge" dueAt={sla.ackDueAt} doneAt={sla.acknowledgedAt} now={now} testId="sla-ack" />
            <Clock name="Resolve" dueAt={sla.resolveDueAt} doneAt={sla.resolvedAt} now={now} testId="sla-resolve" />
          </dl>
        )}
        <p className="mt-3 text-xs text-slate-500">
          Acknowledged = the first assignment, status change, classification or portal triage observed. Times are observed by the sync: precise to one sync
          interval ({intervalMinutes} min).
        </p>
      </div>
    </Card>
  );
}
