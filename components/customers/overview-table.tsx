"use client";
import { SlaBreachCell } from "../sla/sla-overview";
import { StatusBadge } from "../ui/status-badge";
import { InertValue } from "../inert-text";
import { fromColumns, type Columns } from "../ui/columns";
import { useSoftLinks } from "../ui/soft-links";
import { OVERVIEW_SEVERITIES, type AttentionView, type OverviewRowView } from "./overview-rows";

/**
 * Open incidents by severity per customer. A client component so that the page's React payload carries the rows as
 * data, column by column, rather than a second copy of the table (issue #12 §1).
 */
export function OverviewTable({ columns }: { columns: Columns<OverviewRowView> }) {
  const rows = fromColumns(columns);
  // Plain anchors opened client-side by one handler: a <Link> per cell prefetched every page it showed (soft-links.ts).
  const softLinks = useSoftLinks();
  return (
    <div className="card overflow-x-auto">
      <table className="data-table" data-testid="overview-table" {...softLinks}>
        <thead>
          <tr>
            <th>Customer</th>
            <th>Consent</th>
            {OVERVIEW_SEVERITIES.map((s) => (
              <th key={s} className="text-right">
                {s}
              </th>
            ))}
            <th className="text-right">SLA breached</th>
            <th>Health</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="overview-row">
              <td>
                <a href={`/customers/${r.id}`} className="link txt">
                  <InertValue value={r.name} max={100} />
                </a>
              </td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              {OVERVIEW_SEVERITIES.map((s) => (
                <td key={s} className="num">
                  {r[s] > 0 ? (
                    <a className="underline" href={`/incidents?customer=${r.id}&severity=${s}&status=active,inProgress&range=all`}>
                      {r[s]}
                    </a>
                  ) : (
                    <span className="muted">0</span>
                  )}
                </td>
              ))}
              <SlaBreachCell customerId={r.id} counts={{ breached: r.breached ?? 0, breaching: r.breaching ?? 0 }} />
              <td className="xs">
                {r.problem ? (
                  <span className="text-red-700">{r.problem}</span>
                ) : r.waiting ? (
                  <span className="text-slate-500">{r.waiting}</span>
                ) : (
                  <span className="text-emerald-700">Healthy</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The customers that need attention first, and why (or their open high-severity incidents). */
export function AttentionList({ rows }: { rows: AttentionView[] }) {
  const softLinks = useSoftLinks();
  if (rows.length === 0)
    return <p className="text-sm text-slate-600">Nothing needs attention: every tenant is healthy and has no open high-severity incident.</p>;
  return (
    <ul className="attention" data-testid="attention-list" {...softLinks}>
      {rows.map((r) => (
        <li key={r.id}>
          <a href={`/customers/${r.id}`} className="link txt">
            <InertValue value={r.name} max={100} />
          </a>
          <span>{r.problem ?? `${r.high} open high-severity incident${r.high === 1 ? "" : "s"}`}</span>
        </li>
      ))}
    </ul>
  );
}
