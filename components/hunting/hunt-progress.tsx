import Link from "next/link";
import type { HuntRunDetail } from "@/lib/data/hunting";
import { InertText } from "../inert-text";

const STATUS: Record<string, { label: string; className: string }> = {
  queued: { label: "Queued", className: "bg-slate-100 text-slate-700 ring-slate-300" },
  running: { label: "Running", className: "bg-sky-50 text-sky-800 ring-sky-200" },
  done: { label: "Done", className: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  failed: { label: "Failed", className: "bg-red-50 text-red-800 ring-red-200" },
  skipped: { label: "Skipped", className: "bg-amber-50 text-amber-800 ring-amber-200" },
};

const REASON: Record<string, string> = {
  not_granted: "Hunting not granted",
  not_connected: "Not connected",
  not_licensed: "No Defender XDR",
  out_of_scope: "No longer yours",
  throttled: "Quota",
  timeout: "Timeout",
  query_error: "Query error",
  too_large: "Answer too large",
  failed: "Failed",
};

type Tenant = HuntRunDetail["tenants"][number];

function TenantRow({ t, canAskForPermissions }: { t: Tenant; canAskForPermissions: boolean }) {
  const s = STATUS[t.status] ?? STATUS.queued!;
  return (
    <tr data-testid="hunt-tenant" data-status={t.status} data-reason={t.reason ?? ""}>
      <td className="whitespace-nowrap px-3 py-1.5 font-medium text-slate-800">{t.customerName}</td>
      <td className="whitespace-nowrap px-3 py-1.5">
        <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${s.className}`}>{s.label}</span>
        {t.reason && <span className="ml-2 text-xs font-medium text-slate-700">{REASON[t.reason] ?? t.reason}</span>}
      </td>
      <td className="px-3 py-1.5 text-right tabular-nums">{t.status === "done" ? t.rowCount.toLocaleString("en-US") : ""}</td>
      <td className="px-3 py-1.5 text-slate-700" data-testid="hunt-tenant-message">
        {t.message && <InertText value={t.message} max={1_500} className="whitespace-pre-wrap break-words" />}
        {t.reason === "not_granted" && canAskForPermissions && (
          <Link
            href={`/customers/${t.customerId}#capabilities`}
            className="ml-2 whitespace-nowrap text-blue-800 hover:underline"
            data-testid="hunt-ask-permission"
          >
            Ask for hunting →
          </Link>
        )}
      </td>
    </tr>
  );
}

function TenantTable({ tenants, canAskForPermissions }: { tenants: Tenant[]; canAskForPermissions: boolean }) {
  return (
    <table className="min-w-full text-sm">
      <thead className="bg-slate-50 text-left text-xs text-slate-600">
        <tr>
          <th className="px-3 py-2 font-medium">Customer</th>
          <th className="px-3 py-2 font-medium">State</th>
          <th className="px-3 py-2 text-right font-medium">Rows</th>
          <th className="px-3 py-2 font-medium">Detail</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 align-top">
        {tenants.map((t) => (
          <TenantRow key={t.customerId} t={t} canAskForPermissions={canAskForPermissions} />
        ))}
      </tbody>
    </table>
  );
}

/**
 * Per-customer progress: customers that need attention (failed, skipped) and those still working first, every one
 * with its reason in words; customers that answered are folded below with their row counts.
 */
export function HuntProgress({ run, canAskForPermissions }: { run: HuntRunDetail; canAskForPermissions: boolean }) {
  const order = ["failed", "skipped", "running", "queued"];
  const open = run.tenants.filter((t) => t.status !== "done").sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
  const done = run.tenants.filter((t) => t.status === "done");
  const total = run.tenants.length;
  const answered = run.counts.done + run.counts.failed + run.counts.skipped;
  return (
    <div className="space-y-3" data-testid="hunt-progress">
      <p className="text-sm text-slate-700" data-testid="hunt-summary">
        {answered} of {total} customer{total === 1 ? "" : "s"} finished · {run.counts.done} answered · {run.counts.failed} failed · {run.counts.skipped} skipped
        {run.counts.running + run.counts.queued > 0 ? ` · ${run.counts.running} running · ${run.counts.queued} queued` : ""} ·{" "}
        {run.rowsKept.toLocaleString("en-US")} rows
      </p>
      <div className="h-2 w-full overflow-hidden rounded bg-slate-100" aria-hidden="true">
        <div className="h-2 bg-blue-600" style={{ width: `${total ? Math.round((answered / total) * 100) : 0}%` }} />
      </div>
      {open.length > 0 && <TenantTable tenants={open} canAskForPermissions={canAskForPermissions} />}
      {done.length > 0 && (
        <details data-testid="hunt-done-customers" open={open.length === 0 && done.length <= 10}>
          <summary className="cursor-pointer text-sm text-slate-700">
            {done.length} customer{done.length === 1 ? "" : "s"} answered
          </summary>
          <TenantTable tenants={done} canAskForPermissions={canAskForPermissions} />
        </details>
      )}
    </div>
  );
}
