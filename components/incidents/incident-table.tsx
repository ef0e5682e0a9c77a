"use client";
import type { IncidentRowView } from "./queue-rows";
import { fromColumns, type Columns } from "../ui/columns";
import { SelectAllOnPage } from "../bulk/select-all";
import { useSoftLinks } from "../ui/soft-links";
import { useKeptSelection } from "../bulk/kept-selection";
import { incidentRowsHtml } from "./queue-rows-html";

/**
 * The incident queue's table. A client component so that the page's React payload carries these rows as data, column
 * by column (components/ui/columns.ts), rather than as a second copy of the rendered table (issue #12 §1); the HTML is
 * rendered on the server as before, the rows as one string of markup (./queue-rows-html.ts). Cell styles come from
 * the column rules of `.incident-table` in app/globals.css.
 */
export function IncidentTable({ columns }: { columns: Columns<IncidentRowView> }) {
  const rows = fromColumns(columns);
  // The rows' links are plain anchors opened client-side by this one handler (components/ui/soft-links.ts).
  const softLinks = useSoftLinks();
  const markup = incidentRowsHtml(rows);
  const body = useKeptSelection(markup);
  return (
    <div className="card overflow-x-auto">
      <table className="data-table incident-table" data-testid="incident-table" {...softLinks}>
        <thead>
          <tr>
            <th className="w-8">
              <SelectAllOnPage />
            </th>
            <th>Severity</th>
            <th>Incident</th>
            <th>Customer</th>
            <th>Status</th>
            <th>Alerts</th>
            <th>Assigned to</th>
            <th>Classification</th>
            {/* "UTC" once in the header, not after each of 100 times a page (issue #12 §1). */}
            <th>Last update (UTC)</th>
            <th>SLA due (UTC)</th>
            <th>Time left</th>
          </tr>
        </thead>
        {/* The rows as markup (./queue-rows-html.ts): React compares the string and leaves the rows alone while it is unchanged. */}
        <tbody ref={body} dangerouslySetInnerHTML={{ __html: markup }} />
      </table>
    </div>
  );
}
