import Link from "next/link";
import { InertText } from "../inert-text";
import { formatDateTime } from "../ui/primitives";

export interface AuditRow {
  id: string;
  createdAt: Date;
  actor: string;
  action: string;
  customer: { id: string; displayName: string } | null;
  detail: string;
}

/** Audit rows, newest first. Names and details may carry customer-sourced text: rendered inert. */
export function AuditTable({ rows }: { rows: AuditRow[] }) {
  return (
    <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="audit-table">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th className="px-3 py-2">Time</th>
            <th className="px-3 py-2">Actor</th>
            <th className="px-3 py-2">Action</th>
            <th className="px-3 py-2">Customer</th>
            <th className="px-3 py-2">Detail</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id} data-testid="audit-row">
              <td className="whitespace-nowrap px-3 py-2 text-xs">{formatDateTime(r.createdAt)}</td>
              <td className="px-3 py-2" data-testid="audit-actor-cell">
                <InertText value={r.actor} max={100} />
              </td>
              <td className="px-3 py-2 font-mono text-xs" data-testid="audit-action-cell">
                {r.action}
              </td>
              <td className="px-3 py-2">
                {r.customer ? (
                  <Link href={`/customers/${r.customer.id}`} className="text-blue-800 hover:underline">
                    <InertText value={r.customer.displayName} max={100} />
                  </Link>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </td>
              <td className="max-w-lg px-3 py-2 text-xs text-slate-700">
                <InertText value={r.detail} max={600} />
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} className="px-3 py-8 text-center text-slate-500">
                No audit entries match these filters.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
