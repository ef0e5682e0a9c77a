import { requireViewer } from "@/lib/auth/session";
import { filtersToQuery, incidentFilters, parseFilters } from "@/lib/data/filters";
import { EXPORT_LIMIT, listIncidents } from "@/lib/data/incidents";
import { INCIDENT_STATUSES } from "@/lib/sync/model";
import { loadQueueFrame } from "@/lib/data/queue-frame";
import { IncidentTable } from "@/components/incidents/incident-table";
import { INCIDENT_ROW_FIELDS } from "@/components/incidents/queue-rows";
import { incidentRowViews } from "@/components/incidents/queue-row-views";
import { toColumns } from "@/components/ui/columns";
import { ExportLink, Pagination, QueueFilters } from "@/components/incidents/queue-filters";
import { PageHeader } from "@/components/ui/primitives";
import { BulkPanel } from "@/components/bulk/bulk-panel";
import { INCIDENT_ROWS } from "@/components/bulk/row-select";
import { MY_QUEUE_HREF } from "@/lib/data/views";
import { QueueKeyboard } from "@/components/views/queue-keyboard";
import { SavedViews } from "@/components/views/saved-views";
import { SLA_SORT } from "@/components/sla/sla-cells";
import { SlaPrecisionNote } from "@/components/sla/sla-precision-note";
import { serverConfig } from "@/lib/config/env";

export const metadata = { title: "Incidents" };

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const filters = parseFilters(incidentFilters, await searchParams);
  const [result, { customers, groups, views, suppressions }] = await Promise.all([
    listIncidents(viewer, filters),
    loadQueueFrame(viewer, "incidents", filters.customer),
  ]);
  // One clock for the whole page; rows go to the client table as display values (components/incidents/incident-table.tsx).
  const now = new Date();
  const rows = incidentRowViews(result.rows, now, suppressions);
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
