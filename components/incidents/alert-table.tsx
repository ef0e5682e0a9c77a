"use client";
import { InertValue } from "../inert-text";
import { formatDateTime } from "../ui/primitives";
import type { AlertRowView } from "./queue-rows";
import { fromColumns, type Columns } from "../ui/columns";
import { label, severityClass } from "./badges";
import { useSoftLinks } from "../ui/soft-links";

/**
 * The alert queue's table: a client component so that the page's React payload carries the rows as data, not as a
 * second copy of the markup, column by column (issue #12 §1, as components/incidents/incident-table.tsx).
 */
export function AlertTable({ columns }: { columns: Columns<AlertRowView> }) {
  const rows = fromColumns(columns);
  // Plain anchors opened client-side by one handler: a <Link> per row prefetched every row's page (soft-links.ts).
  const softLinks = useSoftLinks();
  return (
    <div className="card overflow-x-auto">
      <table className="data-table" data-testid="alert-table" {...softLinks}>
        <thead>
          <tr>
            <th>Severity</th>
            <th>Alert</th>
            <th>Customer</th>
            <th>Status</th>
            <th>Source</th>
            <th>Assigned to</th>
            <th>Last update</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.id} data-testid="alert-row">
              <td>
                <span data-testid="severity" className={severityClass(a.severity)}>
                  {label(a.severity)}
                </span>
              </td>
              <td className="max-w-md">
                <a href={`/alerts/${a.id}`} className="link txt">
                  <InertValue value={a.title} max={200} />
                </a>
                {a.category && (
                  <div className="sub txt">
                    <InertValue value={a.category} max={80} />
                  </div>
                )}
              </td>
              <td className="txt">
                <InertValue value={a.customer} max={100} />
              </td>
              <td>{label(a.status)}</td>
              <td className="xs">{label(a.source)}</td>
              <td className="xs txt">
                <InertValue value={a.assignedTo} max={100} />
              </td>
              <td className="nw">{formatDateTime(a.updated)}</td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} className="py-8 text-center text-slate-500">
                No alerts match these filters.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
