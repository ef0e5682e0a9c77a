import Link from "next/link";
import type { BulkJobView } from "@/lib/data/bulk";
import { BULK_STATUS_LABELS, describeChange } from "@/lib/validations/bulk";
import { InertText } from "../inert-text";
import { Card, formatDateTime } from "../ui/primitives";
import { LiveRefresh } from "./live-refresh";
import { RetryBulkJobButton } from "./retry-button";

const ITEM_STYLE: Record<string, string> = {
  done: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  skipped: "bg-amber-50 text-amber-800 ring-amber-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  queued: "bg-slate-50 text-slate-700 ring-slate-200",
};

/** A bulk job: what it changes, a live progress bar, and the result per incident. */
export function BulkJobDetail({ job, canAskForPermissions }: { job: BulkJobView; canAskForPermissions: boolean }) {
  const processed = job.counts.done + job.counts.skipped + job.counts.failed;
  const total = processed + job.counts.queued;
  const percent = total === 0 ? 100 : Math.round((processed / total) * 100);
  const running = job.status !== "finished";
  return (
    <div className="space-y-4">
      <LiveRefresh active={running} />
      <Card title="Progress">
        <div
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={total}
          aria-valuenow={processed}
          aria-label="Incidents processed"
          className="h-3 w-full overflow-hidden rounded-full bg-slate-100"
          data-testid="bulk-progress"
          data-status={job.status}
        >
          <div className="h-full bg-blue-700 transition-all" style={{ width: `${percent}%` }} />
        </div>
        <p className="mt-2 text-sm text-slate-700" data-testid="bulk-summary">
          {BULK_STATUS_LABELS[job.status] ?? job.status}: {processed} of {total} processed — {job.counts.done} done, {job.counts.skipped} skipped,{" "}
          {job.counts.failed} failed
          {running && <span className="text-slate-500"> (updates every few seconds)</span>}
        </p>
        {job.dropped > 0 && (
          <p className="mt-1 text-sm text-amber-800" data-testid="bulk-dropped">
            {job.dropped} selected incident(s) were not of the starter&apos;s customers and were left out.
          </p>
        )}
        <dl className="mt-3 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
          <dt className="text-slate-500">Change</dt>
          <dd data-testid="bulk-change">
            {describeChange(job.change).map((line) => (
              <div key={line}>
                <InertText value={line} max={300} />
              </div>
            ))}
          </dd>
          <dt className="text-slate-500">Started by</dt>
          <dd>
            <InertText value={job.starter} max={200} /> · {formatDateTime(job.createdAt)}
          </dd>
          <dt className="text-slate-500">Selection</dt>
          <dd>{job.selection === "filter" ? "Every incident matching a queue filter" : "Incidents picked on the queue"}</dd>
          <dt className="text-slate-500">Finished</dt>
          <dd>{formatDateTime(job.finishedAt)}</dd>
        </dl>
        {!running && job.counts.failed > 0 && job.mine && (
          <div className="mt-3">
            <RetryBulkJobButton jobId={job.id} />
            <p className="mt-1 text-xs text-slate-500">
              Done items are never sent again; an item that may have reached Microsoft is read back before it is resent.
            </p>
          </div>
        )}
      </Card>
      <Card title="Result per incident">
        <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="bulk-items">
          <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th className="py-2 pr-3">Result</th>
              <th className="py-2 pr-3">Incident</th>
              <th className="py-2 pr-3">Customer</th>
              <th className="py-2 pr-3">Details</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {job.items.map((i) => (
              <tr key={i.incidentId} data-testid="bulk-item" data-status={i.status}>
                <td className="py-2 pr-3">
                  <span className={`rounded px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${ITEM_STYLE[i.status] ?? ITEM_STYLE.queued}`}>
                    {BULK_STATUS_LABELS[i.status] ?? i.status}
                  </span>
                </td>
                <td className="max-w-md py-2 pr-3">
                  <Link href={`/incidents/${i.incidentId}`} className="text-blue-800 hover:underline">
                    <InertText value={i.title} max={150} />
                  </Link>
                  <div className="text-xs text-slate-500">#{i.sourceId}</div>
                </td>
                <td className="py-2 pr-3">
                  <InertText value={i.customerName} max={100} />
                </td>
                <td className="max-w-lg py-2 pr-3 text-xs" data-testid="bulk-item-message">
                  {i.message ? <InertText value={i.message} max={600} /> : i.status === "done" ? "Updated at Microsoft." : null}
                  {i.status === "skipped" && /Incident\.ReadWrite\.All/.test(i.message ?? "") && (
                    <div className="mt-1">
                      {canAskForPermissions ? (
                        <Link href={`/customers/${i.customerId}`} className="text-blue-800 hover:underline" data-testid="bulk-ask-permissions">
                          Ask the customer for incident updates
                        </Link>
                      ) : (
                        <span className="text-slate-500">Ask a partner admin to send this customer an additional-permissions link.</span>
                      )}
                    </div>
                  )}
                </td>
              </tr>
            ))}
            {job.items.length === 0 && (
              <tr>
                <td colSpan={4} className="py-6 text-center text-slate-500">
                  No items of your customers in this job.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </Card>
    </div>
  );
}

type JobRow = {
  id: string;
  status: string;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  createdAt: Date;
  finishedAt: Date | null;
  change: Parameters<typeof describeChange>[0];
};

/** Recent bulk jobs, newest first. */
export function BulkJobList({ jobs }: { jobs: JobRow[] }) {
  return (
    <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="bulk-jobs">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th className="px-3 py-2">Started</th>
            <th className="px-3 py-2">Change</th>
            <th className="px-3 py-2">Incidents</th>
            <th className="px-3 py-2">State</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {jobs.map((j) => (
            <tr key={j.id} data-testid="bulk-job-row">
              <td className="whitespace-nowrap px-3 py-2">
                <Link href={`/incidents/bulk/${j.id}`} className="text-blue-800 hover:underline">
                  {formatDateTime(j.createdAt)}
                </Link>
              </td>
              <td className="px-3 py-2 text-xs">
                <InertText value={describeChange(j.change).join(" · ")} max={300} />
              </td>
              <td className="px-3 py-2 tabular-nums">{j.total}</td>
              <td className="px-3 py-2 text-xs">
                {BULK_STATUS_LABELS[j.status] ?? j.status}
                {j.status === "finished" && ` — ${j.done} done, ${j.skipped} skipped, ${j.failed} failed`}
              </td>
            </tr>
          ))}
          {jobs.length === 0 && (
            <tr>
              <td colSpan={4} className="px-3 py-8 text-center text-slate-500">
                No bulk jobs yet. Select incidents on the queue and choose Bulk triage.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
