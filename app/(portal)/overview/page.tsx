import Link from "next/link";
import { requireViewer } from "@/lib/auth/session";
import { getOverview } from "@/lib/data/health";
import { InertText } from "@/components/inert-text";
import { Card, PageHeader } from "@/components/ui/primitives";
import { StatusBadge } from "@/components/ui/status-badge";

export const metadata = { title: "Overview" };

const SEV = ["high", "medium", "low", "informational"] as const;

export default async function OverviewPage() {
  const viewer = await requireViewer();
  const { rows, attention } = await getOverview(viewer);
  return (
    <>
      <PageHeader title="Overview" description="Open incidents per customer, and the customers that need attention first." />
      <Card title="Needs attention" className="mb-6">
        {attention.length === 0 ? <p className="text-sm text-slate-600">Nothing needs attention: every tenant is healthy and has no open high-severity incident.</p> : (
          <ul className="divide-y divide-slate-100" data-testid="attention-list">
            {attention.map((r) => (
              <li key={r.id} className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm">
                <Link href={`/customers/${r.id}`} className="font-medium text-blue-800 hover:underline"><InertText value={r.displayName} max={100} /></Link>
                <span className="text-slate-700">{r.problem ?? `${r.open.high} open high-severity incident${r.open.high === 1 ? "" : "s"}`}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="overview-table">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr><th className="px-3 py-2">Customer</th><th className="px-3 py-2">Consent</th>{SEV.map((s) => <th key={s} className="px-3 py-2 text-right">{s}</th>)}<th className="px-3 py-2">Health</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((r) => (
              <tr key={r.id} data-testid="overview-row">
                <td className="px-3 py-2"><Link href={`/customers/${r.id}`} className="font-medium text-blue-800 hover:underline"><InertText value={r.displayName} max={100} /></Link></td>
                <td className="px-3 py-2"><StatusBadge status={r.status} /></td>
                {SEV.map((s) => (
                  <td key={s} className="px-3 py-2 text-right tabular-nums">
                    {r.open[s] > 0 ? <Link className="underline" href={`/incidents?customer=${r.id}&severity=${s}&status=active,inProgress&range=all`}>{r.open[s]}</Link> : <span className="text-slate-400">0</span>}
                  </td>
                ))}
                <td className="px-3 py-2 text-xs">{r.problem ? <span className="text-red-700">{r.problem}</span> : <span className="text-emerald-700">Healthy</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
