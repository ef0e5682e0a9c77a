import Link from "next/link";
import { requireViewer } from "@/lib/auth/session";
import { alertFilters, filtersToQuery, parseFilters } from "@/lib/data/filters";
import { EXPORT_LIMIT, listAlerts, namedFilterCustomers } from "@/lib/data/incidents";
import { ALERT_STATUSES } from "@/lib/sync/model";
import { InertText } from "@/components/inert-text";
import { SeverityBadge, label } from "@/components/incidents/badges";
import { ExportLink, Pagination, QueueFilters } from "@/components/incidents/queue-filters";
import { PageHeader, formatDateTime } from "@/components/ui/primitives";
import { listFilterGroups } from "@/lib/data/groups";
import { listViews } from "@/lib/data/views";
import { QueueKeyboard } from "@/components/views/queue-keyboard";
import { SavedViews } from "@/components/views/saved-views";

export const metadata = { title: "Alerts" };

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const filters = parseFilters(alertFilters, await searchParams);
  const [result, customers, groups, views] = await Promise.all([
    listAlerts(viewer, filters),
    namedFilterCustomers(viewer, filters.customer),
    listFilterGroups(viewer),
    listViews(viewer, "alerts"),
  ]);
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
      <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="alert-table">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th className="px-3 py-2">Severity</th>
              <th className="px-3 py-2">Alert</th>
              <th className="px-3 py-2">Customer</th>
              <th className="px-3 py-2">Status</th>
              <th className="px-3 py-2">Source</th>
              <th className="px-3 py-2">Assigned to</th>
              <th className="px-3 py-2">Last update</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {result.rows.map((a) => (
              <tr key={a.id} data-testid="alert-row" className="hover:bg-slate-50">
                <td className="px-3 py-2">
                  <SeverityBadge severity={a.severity} />
                </td>
                <td className="max-w-md px-3 py-2">
                  <Link href={`/alerts/${a.id}`} className="font-medium text-blue-800 hover:underline">
                    <InertText value={a.title} max={200} />
                  </Link>
                  {a.category && (
                    <div className="text-xs text-slate-500">
                      <InertText value={a.category} max={80} />
                    </div>
                  )}
                </td>
                <td className="px-3 py-2">
                  <InertText value={a.customer.displayName} max={100} />
                </td>
                <td className="px-3 py-2 text-sm">{label(a.status)}</td>
                <td className="px-3 py-2 text-xs">{label(a.serviceSource ?? a.detectionSource)}</td>
                <td className="px-3 py-2 text-xs">
                  <InertText value={a.assignedTo} max={100} />
                </td>
                <td className="whitespace-nowrap px-3 py-2 text-xs">{formatDateTime(a.lastUpdateTime)}</td>
              </tr>
            ))}
            {result.rows.length === 0 && (
              <tr>
                <td colSpan={7} className="px-3 py-8 text-center text-slate-500">
                  No alerts match these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
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
