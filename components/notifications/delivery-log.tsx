import { EVENT_LABELS } from "@/lib/notify/model";
import { InertText } from "../inert-text";
import { formatDateTime } from "../ui/primitives";

type Row = {
  id: string;
  channelId: string;
  eventKind: string;
  customerName: string;
  status: string;
  heldReason: string | null;
  attempts: number;
  lastStatusCode: number | null;
  latencyMs: number | null;
  lastError: string | null;
  nextAttemptAt: Date;
  createdAt: Date;
  deliveredAt: Date | null;
};

const STATUS_CLASS: Record<string, string> = {
  delivered: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  held: "bg-slate-50 text-slate-700 ring-slate-200",
  suppressed: "bg-amber-50 text-amber-800 ring-amber-200",
  pending: "bg-blue-50 text-blue-800 ring-blue-200",
  sending: "bg-blue-50 text-blue-800 ring-blue-200",
};

/** The delivery log: status, attempts, latency and the receiver's last answer, per (rule, channel, event). */
export function DeliveryLog({ rows, channelNames }: { rows: Row[]; channelNames: Record<string, string> }) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="delivery-log">
        <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th className="px-2 py-1">When</th>
            <th className="px-2 py-1">Event</th>
            <th className="px-2 py-1">Customer</th>
            <th className="px-2 py-1">Channel</th>
            <th className="px-2 py-1">Status</th>
            <th className="px-2 py-1">Attempts</th>
            <th className="px-2 py-1">Response</th>
            <th className="px-2 py-1">Latency</th>
            <th className="px-2 py-1">Detail</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id} data-testid="delivery-row" data-status={r.status}>
              <td className="whitespace-nowrap px-2 py-1 text-xs">{formatDateTime(r.createdAt)}</td>
              <td className="px-2 py-1">{EVENT_LABELS[r.eventKind] ?? r.eventKind}</td>
              <td className="px-2 py-1">
                <InertText value={r.customerName} max={80} />
              </td>
              <td className="px-2 py-1">{channelNames[r.channelId] ?? "(deleted)"}</td>
              <td className="px-2 py-1">
                <span className={`rounded px-1.5 py-0.5 text-xs ring-1 ${STATUS_CLASS[r.status] ?? ""}`}>{r.status}</span>
              </td>
              <td className="px-2 py-1 tabular-nums">{r.attempts}</td>
              <td className="px-2 py-1 tabular-nums">{r.lastStatusCode ?? "—"}</td>
              <td className="px-2 py-1 tabular-nums">{r.latencyMs === null ? "—" : `${r.latencyMs} ms`}</td>
              <td className="max-w-xs px-2 py-1 text-xs text-slate-600">
                {r.status === "delivered" ? formatDateTime(r.deliveredAt) : null}
                {r.status === "pending" && r.attempts > 0 ? `retry at ${formatDateTime(r.nextAttemptAt)}` : null}
                {r.heldReason ? <InertText value={r.heldReason} max={200} /> : null}
                {r.lastError && r.status !== "delivered" ? (
                  <div className="text-red-700">
                    <InertText value={r.lastError} max={200} />
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={9} className="px-2 py-6 text-center text-slate-500">
                No deliveries yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
