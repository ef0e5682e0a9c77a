"use client";
import Link from "next/link";
import { SlaBreachCell } from "../sla/sla-overview";
import { StatusBadge } from "../ui/status-badge";
import { InertValue } from "../inert-text";

export const OVERVIEW_SEVERITIES = ["high", "medium", "low", "informational"] as const;

/** One customer on the overview, as the browser needs it (decided on the server, lib/data/health.ts getOverview). */
export interface OverviewRowView {
  id: string;
  name: string;
  /** Consent status (CONSENTED, REVOKED…). */
  status: string;
  open: Record<(typeof OVERVIEW_SEVERITIES)[number], number>;
  sla?: { breached: number; breaching: number };
  /** Why it needs attention, or what it waits for; neither: healthy. */
  problem?: string;
  waiting?: string;
}

/**
 * Open incidents by severity per customer. A client component so that the page's React payload carries the rows as
 * data rather than a second copy of the table (issue #12 §1).
 */
export function OverviewTable({ rows }: { rows: OverviewRowView[] }) {
  return (
    <div className="card overflow-x-auto">
      <table className="data-table" data-testid="overview-table">
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
                <Link href={`/customers/${r.id}`} className="link txt">
                  <InertValue value={r.name} max={100} />
                </Link>
              </td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              {OVERVIEW_SEVERITIES.map((s) => (
                <td key={s} className="num">
                  {r.open[s] > 0 ? (
                    <Link className="underline" href={`/incidents?customer=${r.id}&severity=${s}&status=active,inProgress&range=all`}>
                      {r.open[s]}
                    </Link>
                  ) : (
                    <span className="muted">0</span>
                  )}
                </td>
              ))}
              <SlaBreachCell customerId={r.id} counts={r.sla} />
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
