import Link from "next/link";
import type { HuntingColumn } from "@/lib/microsoft/hunting";
import { cellKind, HuntCell } from "./hunt-cell";

export interface ResultsTableProps {
  runId: string;
  columns: HuntingColumn[];
  rows: { customerId: string; customerName: string; seq: number; data: Record<string, unknown> }[];
  total: number;
  page: number;
  pages: number;
  sort: string | null;
  dir: "asc" | "desc";
}

function href(runId: string, q: { page?: number; sort?: string | null; dir?: string }) {
  const p = new URLSearchParams();
  if (q.sort) p.set("sort", q.sort);
  if (q.dir && q.dir !== "asc") p.set("dir", q.dir);
  if (q.page && q.page > 1) p.set("page", String(q.page));
  const s = p.toString();
  return `/hunting/runs/${runId}${s ? `?${s}` : ""}#results`;
}

/** The run's rows: Customer first, then Microsoft's columns in their order; every header sorts (server side). */
export function HuntResultsTable({ runId, columns, rows, total, page, pages, sort, dir }: ResultsTableProps) {
  const kinds = columns.map((c) => cellKind(c.type));
  const header = (name: string, key: string | null, kind?: string) => {
    const active = (sort ?? null) === key;
    const next = active && dir === "asc" ? "desc" : "asc";
    return (
      <th key={name} scope="col" className={`whitespace-nowrap px-3 py-2 font-medium ${kind === "number" ? "text-right" : "text-left"}`} data-type={kind}>
        <Link
          href={href(runId, { sort: key, dir: next })}
          className="hover:underline"
          aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : undefined}
        >
          {name}
          {active ? (dir === "asc" ? " ▲" : " ▼") : ""}
        </Link>
      </th>
    );
  };
  return (
    <div>
      <div className="overflow-x-auto">
        <table className="min-w-full text-sm" data-testid="hunt-results">
          <thead className="bg-slate-50 text-xs text-slate-600">
            <tr>
              {header("Customer", null)}
              {columns.map((c, i) => header(c.name, c.name, kinds[i]))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 align-top">
            {rows.map((r) => (
              <tr key={`${r.customerId}:${r.seq}`} data-testid="hunt-row">
                <td className="whitespace-nowrap px-3 py-1.5 font-medium text-slate-800" data-testid="hunt-row-customer">
                  {r.customerName}
                </td>
                {columns.map((c, i) => (
                  <td key={c.name} className={`px-3 py-1.5 ${kinds[i] === "number" ? "text-right" : ""}`}>
                    <HuntCell value={r.data[c.name]} kind={kinds[i]!} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="mt-3 flex items-center justify-between text-sm text-slate-600" aria-label="Result pages">
        <span data-testid="hunt-results-count">
          {total.toLocaleString("en-US")} row{total === 1 ? "" : "s"} · page {page} of {pages}
        </span>
        <span className="flex gap-3">
          {page > 1 && <Link href={href(runId, { page: page - 1, sort, dir })}>← Previous</Link>}
          {page < pages && <Link href={href(runId, { page: page + 1, sort, dir })}>Next →</Link>}
        </span>
      </nav>
    </div>
  );
}
