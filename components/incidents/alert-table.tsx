"use client";
import type { AlertRowView } from "./queue-rows";
import { fromColumns, type Columns } from "../ui/columns";
import { useSoftLinks } from "../ui/soft-links";
import { alertRowsHtml } from "./queue-rows-html";

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
        {/* The rows as markup (./queue-rows-html.ts), as in the incident queue. */}
        <tbody dangerouslySetInnerHTML={{ __html: alertRowsHtml(rows) }} />
      </table>
    </div>
  );
}
