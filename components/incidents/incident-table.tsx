"use client";
import type { IncidentRowView } from "./queue-rows";
import { fromColumns, type Columns } from "../ui/columns";
import { BULK_FORM_ID } from "../bulk/row-select";
import { SelectAllOnPage } from "../bulk/select-all";
import { InertValue } from "../inert-text";
import { formatUtcMinute } from "../ui/primitives";
import { label, severityClass } from "./badges";
import { useSoftLinks } from "../ui/soft-links";

/**
 * The incident queue's table. A client component so that the page's React payload carries these rows as data, column
 * by column (components/ui/columns.ts), rather than as a second copy of the rendered table (issue #12 §1); the HTML is
 * rendered on the server as before. Cell styles come from the column rules of `.incident-table` in app/globals.css.
 */
export function IncidentTable({ columns }: { columns: Columns<IncidentRowView> }) {
  const rows = fromColumns(columns);
  // The rows' links are plain anchors opened client-side by this one handler (components/ui/soft-links.ts).
  const softLinks = useSoftLinks();
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
        <tbody>
          {rows.map((i) => (
            <Row key={i.id} i={i} />
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={11} className="py-8 text-center text-slate-500">
                No incidents match these filters.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

// Short classes (app/globals.css): one per row.
const STATUS_TONE: Record<string, string> = { resolved: "dim", inProgress: "wip" };

// Text is joined before it is rendered (template strings): React marks each boundary between adjacent text parts
// with an HTML comment otherwise. No test ids per row or cell (50 rows a page): the rows are INCIDENT_ROWS
// (components/bulk/row-select.tsx), their cells found by column.
function Row({ i }: { i: IncidentRowView }) {
  return (
    <tr>
      <td>
        {/* A plain input of the bulk form above the table (components/bulk/bulk-panel.tsx). */}
        <input type="checkbox" name="ids" value={i.id} form={BULK_FORM_ID} aria-label={`Select incident #${i.no}`} />
      </td>
      <td>
        <span className={severityClass(i.severity)}>{label(i.severity)}</span>
      </td>
      <td>
        <a href={`/incidents/${i.id}`}>
          <InertValue value={i.title} max={200} />
        </a>
        <div>{`#${i.no}`}</div>
        {i.suppressedBy && (
          <span className="suppressed" title={i.suppressedNote} data-testid="suppressed-badge">
            {`Notifications suppressed by ${i.suppressedBy}`}
          </span>
        )}
      </td>
      <td>
        <InertValue value={i.customer} max={100} />
      </td>
      <td className={STATUS_TONE[i.status]}>{label(i.status)}</td>
      <td>{i.alerts}</td>
      <td>
        <InertValue value={i.assignedTo} max={100} />
      </td>
      {i.classification || i.determination ? (
        <td>
          {i.classification ? label(i.classification) : <span className="muted">Not classified</span>}
          {i.determination && <div>{label(i.determination)}</div>}
        </td>
      ) : (
        <td className="muted">Not classified</td>
      )}
      <td>{formatUtcMinute(i.updated)}</td>
      <SlaCells i={i} />
    </tr>
  );
}

/** The next running deadline and the time left, or how long ago it passed (breached); or how the clocks ended. */
function SlaCells({ i }: { i: IncidentRowView }) {
  switch (i.slaState) {
    case "none":
      return (
        <>
          <td className="dim">No SLA</td>
          <td />
        </>
      );
    case "met":
    case "missed":
      return (
        <>
          <td className="dim">—</td>
          <td>{i.slaState === "met" ? <span className="sla-met">Met</span> : <span className="sla-missed">Missed (done late)</span>}</td>
        </>
      );
    default:
      return (
        <>
          <td>
            {formatUtcMinute(i.slaDue)}
            <div>{`to ${i.slaClock}`}</div>
          </td>
          <td>
            {i.slaState === "breached" ? (
              <span className="sla-breached" data-testid="sla-breached">{`Breached ${i.slaLeft} ago`}</span>
            ) : i.slaState === "soon" ? (
              <span className="sla-soon">{`${i.slaLeft} left`}</span>
            ) : (
              `${i.slaLeft} left`
            )}
          </td>
        </>
      );
  }
}
