"use client";
import { useActionState, useState } from "react";
import { pullSiemAction } from "@/lib/actions/siem";
import { siemQueryFields } from "@/lib/validations/siem";
import { InertText } from "../inert-text";
import { Button, Card, FieldError, formatDateTime } from "../ui/primitives";

const input = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";

/**
 * The SIEM importer's form and preview. Pulling and downloading are POSTs (a server action, and a form posted to
 * the download route): a link or an image on another site cannot make a signed-in analyst pull or be audited.
 */
export function SiemImporter({ customerId, maxLimit }: { customerId: string; maxLimit: number }) {
  const [state, action, pending] = useActionState(pullSiemAction.bind(null, customerId), null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  const result = state?.ok ? state.value : null;
  // React resets a form after its action; what was typed comes back as the fields' defaults.
  const [typed, setTyped] = useState<Record<string, string>>({});
  const value = (name: string) => typed[name] ?? "";
  return (
    <>
      <Card title="Pull detections">
        <form
          action={action}
          onSubmit={(e) =>
            setTyped(Object.fromEntries([...new FormData(e.currentTarget).entries()].filter((x): x is [string, string] => typeof x[1] === "string")))
          }
          className="grid gap-3 md:grid-cols-3"
          aria-label="SIEM query"
          noValidate
        >
          <label className="text-xs font-medium text-slate-700">
            Since (UTC, on LastProcessedTimeUtc)
            <input
              name="sinceTimeUtc"
              defaultValue={value("sinceTimeUtc")}
              placeholder="2026-11-01T00:00:00Z"
              className={input}
              aria-describedby="sinceTimeUtc-error"
            />
            <FieldError id="sinceTimeUtc-error" message={errors.sinceTimeUtc} />
          </label>
          <label className="text-xs font-medium text-slate-700">
            Until (UTC)
            <input name="untilTimeUtc" defaultValue={value("untilTimeUtc")} className={input} aria-describedby="untilTimeUtc-error" />
            <FieldError id="untilTimeUtc-error" message={errors.untilTimeUtc} />
          </label>
          <label className="text-xs font-medium text-slate-700">
            Ago (ISO 8601 duration)
            <input name="ago" defaultValue={value("ago")} placeholder="PT10M" className={input} aria-describedby="ago-error" />
            <FieldError id="ago-error" message={errors.ago} />
          </label>
          <label className="text-xs font-medium text-slate-700">
            Limit (most recent N, at most {maxLimit.toLocaleString("en-US")})
            <input name="limit" defaultValue={value("limit")} inputMode="numeric" className={input} aria-describedby="limit-error" />
            <FieldError id="limit-error" message={errors.limit} />
          </label>
          <label className="text-xs font-medium text-slate-700">
            Machine groups (comma-separated)
            <input name="machinegroups" defaultValue={value("machinegroups")} className={input} />
          </label>
          <label className="text-xs font-medium text-slate-700">
            Device tag / cloud tag
            <span className="flex gap-2">
              <input
                name="deviceCreatedMachineTags"
                defaultValue={value("deviceCreatedMachineTags")}
                aria-label="Device-created machine tag"
                className={input}
              />
              <input name="cloudCreatedMachineTags" defaultValue={value("cloudCreatedMachineTags")} aria-label="Cloud-created machine tag" className={input} />
            </span>
          </label>
          <div className="md:col-span-3">
            <Button type="submit" disabled={pending}>
              {pending ? "Pulling…" : "Pull detections"}
            </Button>
            <span className="ml-3 text-xs text-slate-500">Without “since” or “ago”, Microsoft returns the last two hours.</span>
          </div>
        </form>
      </Card>
      {state && !state.ok && state.formError && (
        <p role="alert" data-testid="siem-error" className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-200">
          {state.formError}
        </p>
      )}
      {result && (
        <Card
          className="mt-6"
          title={
            <span data-testid="siem-count">
              {result.count.toLocaleString("en-US")} detection{result.count === 1 ? "" : "s"}
            </span>
          }
          actions={
            // Downloads pull again with the same parameters, as a POST to the download route (audited like a pull).
            <form method="post" action={`/api/customers/${customerId}/siem`} className="flex gap-2 text-sm">
              {siemQueryFields(result.query).map(([name, value], i) => (
                <input key={`${name}-${i}`} type="hidden" name={name} value={value} />
              ))}
              <button type="submit" name="format" value="csv" className="underline" data-testid="siem-csv">
                Download CSV
              </button>
              <button type="submit" name="format" value="json" className="underline" data-testid="siem-json">
                Download JSON
              </button>
            </form>
          }
        >
          <div className="overflow-x-auto">
            <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="siem-table">
              <thead className="text-left text-xs font-semibold uppercase text-slate-600">
                <tr>
                  <th className="px-2 py-1">Processed</th>
                  <th className="px-2 py-1">Severity</th>
                  <th className="px-2 py-1">Title</th>
                  <th className="px-2 py-1">Device</th>
                  <th className="px-2 py-1">File</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {result.rows.map((d) => (
                  <tr key={d.key}>
                    <td className="whitespace-nowrap px-2 py-1 text-xs">{formatDateTime(d.processed)}</td>
                    <td className="px-2 py-1 text-xs">
                      <InertText value={d.severity} max={20} />
                    </td>
                    <td className="px-2 py-1">
                      <InertText value={d.title} max={200} />
                    </td>
                    <td className="px-2 py-1 text-xs">
                      <InertText value={d.device} max={100} />
                    </td>
                    <td className="px-2 py-1 font-mono text-xs">
                      <InertText value={d.file} max={300} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {result.count > result.rows.length && (
              <p className="mt-2 text-xs text-slate-500">Showing the first {result.rows.length}; the downloads hold all of them.</p>
            )}
          </div>
        </Card>
      )}
    </>
  );
}
