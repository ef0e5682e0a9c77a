import { requireViewer } from "@/lib/auth/session";
import { alertFilters, filtersToQuery, parseFilters } from "@/lib/data/filters";
import { EXPORT_LIMIT, listAlerts } from "@/lib/data/incidents";
import { loadQueueFrame } from "@/lib/data/queue-frame";
import { ALERT_STATUSES } from "@/lib/sync/model";
import { AlertTable } from "@/components/incidents/alert-table";
import { ALERT_ROW_FIELDS } from "@/components/incidents/queue-rows";
import { alertRowViews } from "@/components/incidents/queue-row-views";
import { toColumns } from "@/components/ui/columns";
import { ExportLink, Pagination, QueueFilters } from "@/components/incidents/queue-filters";
import { PageHeader } from "@/components/ui/primitives";
import { QueueKeyboard } from "@/components/views/queue-keyboard";
import { SavedViews } from "@/components/views/saved-views";

export const metadata = { title: "Alerts" };

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const filters = parseFilters(alertFilters, await searchParams);
  const [result, { customers, groups, views }] = await Promise.all([listAlerts(viewer, filters), loadQueueFrame(viewer, "alerts", filters.customer)]);
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Every customer's Defender alerts, with the same filters as the incident queue."
        actions={<ExportLink href={`/api/alerts/export${filtersToQuery(filters)}`} truncated={result.totalCapped} limit={EXPORT_LIMIT} />}
      />
      <SavedViews queue="alerts" views={views} current={filtersToQuery({ ...filters, page: 1 })} />
      <QueueFilters action="/alerts" filters={filters} customers={customers} groups={groups} statuses={ALERT_STATUSES} />
      <QueueKeyboard rowSelector='[data-testid="alert-row"]' />
      <AlertTable columns={toColumns(alertRowViews(result.rows), ALERT_ROW_FIELDS)} />
      <Pagination
        href={(page) => `/alerts${filtersToQuery(filters, { page })}`}
        page={result.page}
        pageSize={result.pageSize}
        total={result.total}
        totalCapped={result.totalCapped}
        rowsOnPage={result.rows.length}
      />
    </>
  );
}
