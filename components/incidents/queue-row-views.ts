import "server-only";
import type { AlertQueueRow, IncidentQueueRow } from "@/lib/data/incidents";
import { suppressionMark, type ActiveSuppressions, type SuppressionMark } from "@/lib/data/notifications";
import { slaCell } from "../sla/sla-cell";
import { epochMinutes, formatDateTime } from "../ui/primitives";
import type { AlertRowView, IncidentRowView } from "./queue-rows";

/*
 * The queues' rows as their tables receive them (./queue-rows.ts), built on the server. Plain loops and `#__NOINLINE__`
 * calls on purpose: the production minifier inlines a function used once as a closure made at its call site, and V8
 * drops a closure's optimized code at each full garbage collection once no instance of it is left, so under load the
 * web process compiled per-row helpers again about once a second (docs/measurements.md, seventh pass).
 */

// Microsoft sends "unknown" for both until an analyst classifies: the table says that once, plainly.
const isSet = (v: string | null): v is string => Boolean(v) && v !== "unknown";

export function incidentRowViews(rows: readonly IncidentQueueRow[], now: Date, suppressions: ActiveSuppressions): IncidentRowView[] {
  const out: IncidentRowView[] = [];
  for (const i of rows) out.push(/*#__NOINLINE__*/ incidentRowView(i, now, suppressionMark(suppressions, { customerId: i.customer.id, title: i.title })));
  return out;
}

export function incidentRowView(i: IncidentQueueRow, now: Date, suppressed: SuppressionMark | null): IncidentRowView {
  const sla = slaCell(i, now);
  return {
    id: i.id,
    no: i.sourceId,
    title: i.title,
    severity: i.severity,
    status: i.status,
    customer: i.customer.displayName,
    alerts: i.alertCount,
    ...(i.assignedTo ? { assignedTo: i.assignedTo } : {}),
    ...(isSet(i.classification) ? { classification: i.classification } : {}),
    ...(isSet(i.determination) ? { determination: i.determination } : {}),
    updated: epochMinutes(i.lastUpdateTime),
    slaState: sla.state,
    ...("due" in sla ? { slaDue: sla.due, slaClock: sla.clock, slaLeft: sla.left } : {}),
    ...(suppressed ? { suppressedBy: suppressed.by, suppressedNote: `${suppressed.reason} (until ${formatDateTime(suppressed.until)})` } : {}),
  };
}

export function alertRowViews(rows: readonly AlertQueueRow[]): AlertRowView[] {
  const out: AlertRowView[] = [];
  for (const a of rows) out.push(/*#__NOINLINE__*/ alertRowView(a));
  return out;
}

export function alertRowView(a: AlertQueueRow): AlertRowView {
  const source = a.serviceSource ?? a.detectionSource;
  return {
    id: a.id,
    title: a.title,
    ...(a.category ? { category: a.category } : {}),
    severity: a.severity,
    status: a.status,
    customer: a.customer.displayName,
    ...(source ? { source } : {}),
    ...(a.assignedTo ? { assignedTo: a.assignedTo } : {}),
    updated: epochMinutes(a.lastUpdateTime),
  };
}
