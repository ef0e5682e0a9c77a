"use client";
import { useEffect, useState, useTransition } from "react";
import type { Result } from "@/lib/result";
import { refreshCustomerAction } from "@/lib/actions/sync";
import { ActionResult } from "../ui/action-result";

interface Feed {
  feed: string;
  source: string;
  running: boolean;
  progress: string | null;
  lastSuccessAt: string | Date | null;
  lastErrorAt: string | Date | null;
  lastError: string | null;
  lastErrorCode: string | null;
  rowsChanged: number;
  apiCalls: number;
  nextRunAt: string | Date | null;
  failing: boolean;
}

const fmt = (d: string | Date | null) => (d ? new Date(d).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "never");

/** Per feed: running / last success / last error / rows changed / next run, live while a refresh runs. */
export function SyncStatus({ customerId, initial, canRefresh }: { customerId: string; initial: Feed[]; canRefresh: boolean }) {
  const [feeds, setFeeds] = useState(initial);
  const [polling, setPolling] = useState(initial.some((f) => f.running || f.progress));
  const [pending, start] = useTransition();
  const [refresh, setRefresh] = useState<Result | null>(null);

  useEffect(() => {
    if (!polling) return;
    let stop = false;
    let quietRounds = 0;
    const poll = async () => {
      const res = await fetch(`/api/customers/${customerId}/sync`, { cache: "no-store" }).catch(() => null);
      if (res?.ok) {
        const body = (await res.json()) as { feeds: Feed[] };
        setFeeds(body.feeds);
        const busy = body.feeds.some((f) => f.running || f.progress);
        quietRounds = busy ? 0 : quietRounds + 1;
        if (quietRounds >= 2) setPolling(false);
      }
      if (!stop) setTimeout(poll, 1500);
    };
    void poll();
    return () => {
      stop = true;
    };
  }, [polling, customerId]);

  return (
    <div>
      <table className="w-full text-sm" data-testid="sync-table">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="py-1">Feed</th>
            <th className="py-1">State</th>
            <th className="py-1">Last success</th>
            <th className="py-1">Rows changed</th>
            <th className="py-1">Next run</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {feeds.map((f) => (
            <tr key={f.feed} data-testid="sync-row" data-feed={f.feed} data-failing={f.failing}>
              <td className="py-2 capitalize">
                {f.feed} <span className="text-xs text-slate-500">({f.source})</span>
              </td>
              <td className="py-2" data-testid="sync-state">
                {f.running ? (
                  <span className="text-blue-700">Running{f.progress ? ` · ${f.progress}` : ""}</span>
                ) : f.progress ? (
                  <span className="text-slate-600">{f.progress}</span>
                ) : f.failing ? (
                  <span className="text-red-700">Failing</span>
                ) : f.lastSuccessAt ? (
                  <span className="text-emerald-700">OK</span>
                ) : (
                  <span className="text-slate-500">Not run yet</span>
                )}
                {f.failing && f.lastError && (
                  <div className="text-xs text-red-700" data-testid="sync-error">
                    {f.lastError}
                    {f.lastErrorCode && !f.lastError.includes(f.lastErrorCode) ? ` (${f.lastErrorCode})` : ""}
                  </div>
                )}
              </td>
              <td className="py-2 text-xs">{fmt(f.lastSuccessAt)}</td>
              <td className="py-2 tabular-nums">
                {f.rowsChanged} <span className="text-xs text-slate-500">({f.apiCalls} API calls)</span>
              </td>
              <td className="py-2 text-xs">{fmt(f.nextRunAt)}</td>
            </tr>
          ))}
          {feeds.length === 0 && (
            <tr>
              <td colSpan={5} className="py-3 text-slate-500">
                Not synced yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {canRefresh && (
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <button
            type="button"
            disabled={pending}
            className="rounded-md bg-white px-3 py-2 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50 disabled:opacity-50"
            onClick={() =>
              start(async () => {
                const result = await refreshCustomerAction(customerId);
                setRefresh(result);
                if (result.ok) setPolling(true);
              })
            }
          >
            {pending ? "Requesting…" : "Refresh now"}
          </button>
          <ActionResult state={refresh} testId="refresh" />
        </div>
      )}
    </div>
  );
}
