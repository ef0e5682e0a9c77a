import { formatDateTime } from "../ui/primitives";
import { outcomeLabel } from "../ui/status-badge";

interface Event {
  id: string;
  outcome: string;
  via: string;
  reason: string;
  errorCode: string | null;
  createdAt: Date;
  missingRoles: string[];
  claimedTenantId?: string | null;
  expectedTenantId?: string | null;
  occurrences?: number;
  lastSeenAt?: Date | null;
}

export function ConsentHistory({ events }: { events: Event[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-500">Nothing yet.</p>;
  return (
    <ol className="space-y-3 text-sm" data-testid="consent-history">
      {events.map((e) => (
        <li key={e.id} data-testid="consent-event" data-outcome={e.outcome}>
          <div className="flex items-center justify-between gap-2">
            <span className="font-medium">{outcomeLabel(e.outcome)}</span>
            <time className="text-xs text-slate-500">{formatDateTime(e.createdAt)}</time>
          </div>
          <p className="text-slate-600 inert-text">{e.reason}</p>
          {(e.claimedTenantId || e.expectedTenantId) && (
            <p className="font-mono text-xs text-slate-500" data-testid="event-tenants">
              {e.claimedTenantId && <>from {e.claimedTenantId}</>}
              {e.expectedTenantId && e.expectedTenantId !== e.claimedTenantId && <> · expected {e.expectedTenantId}</>}
            </p>
          )}
          {(e.occurrences ?? 1) > 1 && (
            <p className="text-xs text-slate-500" data-testid="event-occurrences">
              {e.occurrences} times, last {formatDateTime(e.lastSeenAt ?? e.createdAt)}
            </p>
          )}
          {e.missingRoles.length > 0 && <p className="text-xs text-red-700">Missing: {e.missingRoles.join(", ")}</p>}
          {e.errorCode && <p className="font-mono text-xs text-slate-500">{e.errorCode}</p>}
        </li>
      ))}
    </ol>
  );
}
