import Link from "next/link";
import { customerListHref, type CustomerListQuery, type listCustomers } from "@/lib/data/customers";
import { StatusBadge, outcomeLabel } from "../ui/status-badge";
import { formatDateTime } from "../ui/primitives";

type Row = Awaited<ReturnType<typeof listCustomers>>["customers"][number];

function SortHeader({ label, sort, query }: { label: string; sort: CustomerListQuery["sort"]; query: CustomerListQuery }) {
  const active = query.sort === sort;
  const dir = active && query.dir === "asc" ? "desc" : "asc";
  return (
    <th scope="col" className="px-3 py-2 text-left" aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : "none"}>
      <Link href={customerListHref(query, { sort, dir })} className="inline-flex items-center gap-1 hover:text-slate-900">
        {label}
        {active && <span aria-hidden>{query.dir === "asc" ? "▲" : "▼"}</span>}
      </Link>
    </th>
  );
}

export function CustomerTable({ customers, query }: { customers: Row[]; query: CustomerListQuery }) {
  if (customers.length === 0) {
    return <p className="rounded-lg bg-white p-8 text-center text-sm text-slate-600 ring-1 ring-slate-200">No customers match.</p>;
  }
  return (
    <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="customer-table">
        <thead className="bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <SortHeader label="Customer" sort="name" query={query} />
            <SortHeader label="Status" sort="status" query={query} />
            <th scope="col" className="px-3 py-2 text-left">
              Tenant ID
            </th>
            <th scope="col" className="px-3 py-2 text-left">
              Permissions
            </th>
            <SortHeader label="Consented" sort="consentedAt" query={query} />
            <SortHeader label="Last event" sort="lastEventAt" query={query} />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {customers.map((c) => (
            <tr key={c.id} data-testid="customer-row" className="hover:bg-slate-50">
              <td className="px-3 py-2">
                <Link href={`/customers/${c.id}`} className="font-medium text-blue-800 hover:underline inert-text">
                  {c.displayName}
                </Link>
                {c.domain && <div className="text-xs text-slate-500">{c.domain}</div>}
              </td>
              <td className="px-3 py-2">
                <StatusBadge status={c.status} />
              </td>
              <td className="px-3 py-2 font-mono text-xs">{c.tenantId ?? "—"}</td>
              <td className="px-3 py-2" data-testid="permission-count">
                <span className={c.grantedCount === c.requiredCount ? "text-emerald-700" : "text-slate-600"}>
                  {c.grantedCount} / {c.requiredCount} granted
                </span>
              </td>
              <td className="px-3 py-2 text-xs">
                {formatDateTime(c.consentedAt)}
                {c.consentedVia && <div className="text-slate-500">{c.consentedVia === "LINK" ? "by consent link" : "by tenant ID (legacy link)"}</div>}
              </td>
              <td className="px-3 py-2 text-xs">
                {c.lastEvent ? (
                  <>
                    <span className="font-medium">{outcomeLabel(c.lastEvent.outcome)}</span> · {formatDateTime(c.lastEvent.createdAt)}
                  </>
                ) : (
                  formatDateTime(c.lastEventAt)
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
