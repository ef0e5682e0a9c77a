import Link from "next/link";
import { requireViewer } from "@/lib/auth/session";
import { filtersToQuery, incidentFilters, parseFilters } from "@/lib/data/filters";
import { EXPORT_LIMIT, namedFilterCustomers, listIncidents } from "@/lib/data/incidents";
import { INCIDENT_STATUSES } from "@/lib/sync/model";
import { InertText } from "@/components/inert-text";
import { SuppressionBadge } from "@/components/notifications/suppression-badge";
import { SeverityBadge, StatusText, label } from "@/components/incidents/badges";
import { ExportLink, Pagination, QueueFilters } from "@/components/incidents/queue-filters";
import { PageHeader, formatDateTime } from "@/components/ui/primitives";
import { BulkPanel } from "@/components/bulk/bulk-panel";
import { RowSelect } from "@/components/bulk/row-select";
import { SelectAllOnPage } from "@/components/bulk/select-all";
import { listFilterGroups } from "@/lib/data/groups";
import { listViews, MY_QUEUE_HREF } from "@/lib/data/views";
import { QueueKeyboard } from "@/components/views/queue-keyboard";
import { SavedViews } from "@/components/views/saved-views";
import { SLA_SORT, SlaCells, SlaFilterSelect, SlaHeaderCells, SlaPrecisionNote } from "@/components/sla/sla-cells";
import { serverConfig } from "@/lib/config/env";

export const metadata = { title: "Incidents" };

const isSet = (v: string | null): v is string => Boolean(v) && v !== "unknown";

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const filters = parseFilters(incidentFilters, await searchParams);
  const [result, customers, groups, views] = await Promise.all([
    listIncidents(viewer, filters),
    namedFilterCustomers(viewer, filters.customer),
    listFilterGroups(viewer),
    listViews(viewer, "incidents"),
  ]);
  const now = new Date();
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
        extra={<SlaFilterSelect value={filters.sla} />}
        extraSorts={[SLA_SORT]}
      />
      <SlaPrecisionNote intervalMinutes={serverConfig().syncIntervalMinutes} />
      <BulkPanel filterQuery={filtersToQuery(filters)} total={result.total} totalCapped={result.totalCapped} />
      <QueueKeyboard rowSelector='[data-testid="incident-row"]' />
      <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="incident-table">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th className="w-8 px-3 py-2">
                <SelectAllOnPage />
              </th>
              <th className="px-3 py-2">Severity</th>
              <th className="px-3 py-2">Incident</th>
              <th className="px-3 py-2">Customer</th>
              <th className="px-3 py-2">Status</th>
              <th className="px-3 py-2">Alerts</th>
              <th className="px-3 py-2">Assigned to</th>
              <th className="px-3 py-2">Classification</th>
              <th className="px-3 py-2">Last update</th>
              <SlaHeaderCells />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {result.rows.map((i) => (
              <tr key={i.id} data-testid="incident-row" className="hover:bg-slate-50">
                <td className="px-3 py-2">
                  <RowSelect id={i.id} label={`incident #${i.sourceId}`} />
                </td>
                <td className="px-3 py-2">
                  <SeverityBadge severity={i.severity} />
                </td>
                <td className="min-w-72 max-w-md px-3 py-2">
                  <Link href={`/incidents/${i.id}`} className="font-medium text-blue-800 hover:underline">
                    <InertText value={i.title} max={200} />
                  </Link>
                  <div className="text-xs text-slate-500">#{i.sourceId}</div>
                  <SuppressionBadge viewer={viewer} customerId={i.customer.id} title={i.title} />
                </td>
                <td className="px-3 py-2" data-testid="incident-customer">
                  <InertText value={i.customer.displayName} max={100} />
                </td>
                <td className="px-3 py-2">
                  <StatusText status={i.status} />
                </td>
                <td className="px-3 py-2 tabular-nums">{i.alertCount}</td>
                <td className="px-3 py-2 text-xs">
                  <InertText value={i.assignedTo} max={100} />
                </td>
                <td className="px-3 py-2 text-xs">
                  {/* Microsoft sends "unknown" for both until an analyst classifies: say that once, plainly. */}
                  {isSet(i.classification) ? label(i.classification) : <span className="text-slate-400">Not classified</span>}
                  {isSet(i.determination) && <div className="text-slate-500">{label(i.determination)}</div>}
                </td>
                <td className="whitespace-nowrap px-3 py-2 text-xs">{formatDateTime(i.lastUpdateTime)}</td>
                <SlaCells incident={i} now={now} />
              </tr>
            ))}
            {result.rows.length === 0 && (
              <tr>
                <td colSpan={11} className="px-3 py-8 text-center text-slate-500">
                  No incidents match these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
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
