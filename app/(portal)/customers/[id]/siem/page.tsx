import Link from "next/link";
import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { getCustomerDetail } from "@/lib/data/customers";
import { pullSiemDetections } from "@/lib/data/siem";
import { siemQueryString } from "@/lib/microsoft/siem";
import { InertText } from "@/components/inert-text";
import { Card, FieldError, PageHeader, formatDateTime } from "@/components/ui/primitives";

export const metadata = { title: "SIEM API importer (deprecated)" };

const PREVIEW_ROWS = 100;
const input = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";

/**
 * The legacy SIEM REST API, for partners still migrating SIEM pipelines off it. Pulls on demand (a GET form, so a
 * pull is a shareable URL), previews, and downloads as JSON or CSV. The portal's own sync never uses it.
 */
export default async function SiemImporterPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const { id } = await params;
  const customer = await getCustomerDetail(viewer, id);
  if (!customer) notFound();
  const query = await searchParams;
  const result = query.pull ? await pullSiemDetections(viewer, id, query) : null;
  if (query.pull && !result) notFound();
  const errors = result && !result.ok ? (result.fieldErrors ?? {}) : {};
  const value = (k: string) => (typeof query[k] === "string" ? (query[k] as string) : "");
  return (
    <>
      <PageHeader
        title={<>SIEM API importer <span className="ml-2 rounded bg-amber-100 px-2 py-0.5 align-middle text-xs font-semibold uppercase text-amber-900" data-testid="deprecated-label">Deprecated</span></>}
        description={<>For <Link href={`/customers/${customer.id}`} className="underline"><InertText value={customer.displayName} /></Link>. Microsoft deprecated the Defender for Endpoint SIEM REST API on 31 December 2023 and may switch it off at any time; use it only to bridge an old SIEM pipeline. The portal&apos;s incident sync does not depend on it.</>}
      />
      <Card title="Pull detections">
        <form method="get" className="grid gap-3 md:grid-cols-3" aria-label="SIEM query">
          <input type="hidden" name="pull" value="1" />
          <label className="text-xs font-medium text-slate-700">Since (UTC, on LastProcessedTimeUtc)
            <input name="sinceTimeUtc" defaultValue={value("sinceTimeUtc")} placeholder="2026-11-01T00:00:00Z" className={input} aria-describedby="sinceTimeUtc-error" />
            <FieldError id="sinceTimeUtc-error" message={errors.sinceTimeUtc} />
          </label>
          <label className="text-xs font-medium text-slate-700">Until (UTC)
            <input name="untilTimeUtc" defaultValue={value("untilTimeUtc")} className={input} aria-describedby="untilTimeUtc-error" />
            <FieldError id="untilTimeUtc-error" message={errors.untilTimeUtc} />
          </label>
          <label className="text-xs font-medium text-slate-700">Ago (ISO 8601 duration)
            <input name="ago" defaultValue={value("ago")} placeholder="PT10M" className={input} aria-describedby="ago-error" />
            <FieldError id="ago-error" message={errors.ago} />
          </label>
          <label className="text-xs font-medium text-slate-700">Limit (most recent N)
            <input name="limit" inputMode="numeric" defaultValue={value("limit")} className={input} aria-describedby="limit-error" />
            <FieldError id="limit-error" message={errors.limit} />
          </label>
          <label className="text-xs font-medium text-slate-700">Machine groups (comma-separated)
            <input name="machinegroups" defaultValue={value("machinegroups")} className={input} />
          </label>
          <label className="text-xs font-medium text-slate-700">Device tag / cloud tag
            <span className="flex gap-2">
              <input name="deviceCreatedMachineTags" defaultValue={value("deviceCreatedMachineTags")} aria-label="Device-created machine tag" className={input} />
              <input name="cloudCreatedMachineTags" defaultValue={value("cloudCreatedMachineTags")} aria-label="Cloud-created machine tag" className={input} />
            </span>
          </label>
          <div className="md:col-span-3">
            <button type="submit" className="rounded-md bg-blue-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-blue-800">Pull detections</button>
            <span className="ml-3 text-xs text-slate-500">Without “since” or “ago”, Microsoft returns the last two hours.</span>
          </div>
        </form>
      </Card>
      {result && !result.ok && <p role="alert" data-testid="siem-error" className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-200">{result.error}</p>}
      {result?.ok && (
        <Card
          className="mt-6"
          title={<span data-testid="siem-count">{result.detections.length.toLocaleString("en-US")} detection{result.detections.length === 1 ? "" : "s"}</span>}
          actions={
            <span className="flex gap-2 text-sm">
              <a download data-testid="siem-csv" className="underline" href={`/api/customers/${customer.id}/siem${siemQueryString(result.query)}${siemQueryString(result.query) ? "&" : "?"}format=csv`}>Download CSV</a>
              <a download data-testid="siem-json" className="underline" href={`/api/customers/${customer.id}/siem${siemQueryString(result.query)}${siemQueryString(result.query) ? "&" : "?"}format=json`}>Download JSON</a>
            </span>
          }
        >
          <div className="overflow-x-auto">
            <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="siem-table">
              <thead className="text-left text-xs font-semibold uppercase text-slate-600">
                <tr><th className="px-2 py-1">Processed</th><th className="px-2 py-1">Severity</th><th className="px-2 py-1">Title</th><th className="px-2 py-1">Device</th><th className="px-2 py-1">File</th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {result.detections.slice(0, PREVIEW_ROWS).map((d) => (
                  <tr key={`${d.AlertId}|${d.AlertPart ?? ""}|${d.LastProcessedTimeUtc}`}>
                    <td className="whitespace-nowrap px-2 py-1 text-xs">{formatDateTime(d.LastProcessedTimeUtc)}</td>
                    <td className="px-2 py-1 text-xs"><InertText value={d.Severity} max={20} /></td>
                    <td className="px-2 py-1"><InertText value={d.AlertTitle} max={200} /></td>
                    <td className="px-2 py-1 text-xs"><InertText value={d.ComputerDnsName} max={100} /></td>
                    <td className="px-2 py-1 font-mono text-xs"><InertText value={d.FilePath ?? d.FileName} max={300} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
            {result.detections.length > PREVIEW_ROWS && <p className="mt-2 text-xs text-slate-500">Showing the first {PREVIEW_ROWS}; the downloads hold all of them.</p>}
          </div>
        </Card>
      )}
    </>
  );
}
