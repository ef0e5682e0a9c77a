import { requireViewer } from "@/lib/auth/session";
import { filtersToQuery, incidentFilters, parseFilters } from "@/lib/data/filters";
import { EXPORT_LIMIT, listIncidents } from "@/lib/data/incidents";
import { INCIDENT_STATUSES } from "@/lib/sync/model";
import { suppressionMark, type SuppressionMark } from "@/lib/data/notifications";
import { loadQueueFrame } from "@/lib/data/queue-frame";
import { IncidentTable } from "@/components/incidents/incident-table";
import { INCIDENT_ROW_FIELDS, type IncidentRowView } from "@/components/incidents/queue-rows";
import { toColumns } from "@/components/ui/columns";
import { ExportLink, Pagination, QueueFilters } from "@/components/incidents/queue-filters";
import { PageHeader, epochMinutes, formatDateTime } from "@/components/ui/primitives";
import { slaCell, type SlaFields } from "@/components/sla/sla-cell";
import { BulkPanel } from "@/components/bulk/bulk-panel";
import { INCIDENT_ROWS } from "@/components/bulk/row-select";
import { MY_QUEUE_HREF } from "@/lib/data/views";
import { QueueKeyboard } from "@/components/views/queue-keyboard";
import { SavedViews } from "@/components/views/saved-views";
import { SLA_SORT } from "@/components/sla/sla-cells";
import { SlaPrecisionNote } from "@/components/sla/sla-precision-note";
import { serverConfig } from "@/lib/config/env";

export const metadata = { title: "Incidents" };

const isSet = (v: string | null): v is string => Boolean(v) && v !== "unknown";

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const filters = parseFilters(incidentFilters, await searchParams);
  const [result, { customers, groups, views, suppressions }] = await Promise.all([
    listIncidents(viewer, filters),
    loadQueueFrame(viewer, "incidents", filters.customer),
  ]);
  // One clock for the whole page; rows go to the client table as display values (components/incidents/incident-table.tsx).
  const now = new Date();
  // A loop, not a callback made per request (components/ui/columns.ts says why).
  const rows: IncidentRowView[] = [];
  for (const i of result.rows) rows.push(toRowView(i, now, suppressionMark(suppressions, { customerId: i.customer.id, title: i.title })));
  return (
    <>
      <PageHeader
        title="Incidents"
        description="Every customer's Defender incidents, from the portal's store (synced every few minutes)."
        actions={<ExportLink href={`/api/incidents/export${filtersToQuery(filters)}`} truncated={result.totalCapped} limit={EXPORT_LIMIT} />}
      />
      <SavedViews queue="incidents" views={views} current={filtersToQuery({ ...filters, page: 1 })} myQueueHref={MY_QUEUE_HREF} />
      <QueueFilters
        action="/incidents"
        filters={filters}
        customers={customers}
        groups={groups}
        statuses={INCIDENT_STATUSES}
        sla={filters.sla}
        extraSorts={[SLA_SORT]}
      />
      <SlaPrecisionNote intervalMinutes={serverConfig().syncIntervalMinutes} />
      <BulkPanel filterQuery={filtersToQuery(filters)} total={result.total} totalCapped={result.totalCapped} />
      <QueueKeyboard rowSelector={INCIDENT_ROWS} />
      <IncidentTable columns={toColumns(rows, INCIDENT_ROW_FIELDS)} />
      <Pagination
        href={(page) => `/incidents${filtersToQuery(filters, { page })}`}
        page={result.page}
        pageSize={result.pageSize}
        total={result.total}
        totalCapped={result.totalCapped}
        rowsOnPage={result.rows.length}
      />
    </>
  );
}

type IncidentRow = Awaited<ReturnType<typeof listIncidents>>["rows"][number];

function toRowView(i: IncidentRow & SlaFields, now: Date, suppressed: SuppressionMark | null): IncidentRowView {
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
    // Microsoft sends "unknown" for both until an analyst classifies: the table says that once, plainly.
    ...(isSet(i.classification) ? { classification: i.classification } : {}),
    ...(isSet(i.determination) ? { determination: i.determination } : {}),
    updated: epochMinutes(i.lastUpdateTime),
    slaState: sla.state,
    ...("due" in sla ? { slaDue: sla.due, slaClock: sla.clock, slaLeft: sla.left } : {}),
    ...(suppressed ? { suppressedBy: suppressed.by, suppressedNote: `${suppressed.reason} (until ${formatDateTime(suppressed.until)})` } : {}),
  };
}
