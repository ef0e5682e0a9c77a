import type { ChangeView } from "@/lib/data/sla";
import { InertText } from "../inert-text";
import { label } from "./badges";
import { Card, formatDateTime } from "../ui/primitives";

const FIELD: Record<string, string> = {
  created: "Incident first seen",
  status: "Status",
  assignedTo: "Assigned to",
  classification: "Classification",
  determination: "Determination",
  severity: "Severity",
  comment: "Triage (comment)",
};

function value(field: string, v: string | null) {
  if (v === null || v === "") return <span className="text-slate-400">none</span>;
  // Assignees are free text from the tenant; the other fields are canonical values with labels.
  return field === "assignedTo" ? <InertText value={v} max={200} /> : <>{label(v)}</>;
}

function origin(c: ChangeView) {
  if (c.origin === "microsoft") return "Microsoft";
  const who = c.actorName ? <InertText value={c.actorName} max={100} /> : null;
  return (
    <>
      {c.origin === "bulk" ? "Bulk triage" : "Portal"}
      {who && <> by {who}</>}
      {c.writeContext === "delegated" && (
        <span data-testid="change-context"> as {c.microsoftActor ? <InertText value={c.microsoftActor} max={200} /> : "the analyst"} (user context)</span>
      )}
      {c.writeContext === "application" && <span data-testid="change-context"> as the portal&apos;s app</span>}
    </>
  );
}

/** Every observed change of the incident's triage fields, newest first, with where it came from. */
export function ChangeHistory({ changes, intervalMinutes }: { changes: ChangeView[]; intervalMinutes: number }) {
  return (
    <Card title={`Change history (${changes.length})`}>
      {changes.length === 0 ? (
        <p className="text-sm text-slate-500">No change observed yet.</p>
      ) : (
        <ol className="space-y-2 text-sm" data-testid="change-history">
          {changes.map((c) => (
            <li key={c.id} data-testid="change-entry" className="flex flex-wrap items-baseline gap-x-2">
              <time className="w-36 shrink-0 text-xs text-slate-500">{formatDateTime(c.observedAt)}</time>
              <span className="font-medium">{FIELD[c.field] ?? c.field}</span>
              {c.field !== "comment" && c.field !== "created" && (
                <span>
                  {value(c.field, c.oldValue)} → {value(c.field, c.newValue)}
                </span>
              )}
              {c.field === "created" && <span>status {value("status", c.newValue)}</span>}
              <span className="text-xs text-slate-500" data-testid="change-origin">
                {origin(c)}
              </span>
            </li>
          ))}
        </ol>
      )}
      <p className="mt-3 text-xs text-slate-500">
        Observed by the sync (or written by the portal): times are precise to one sync interval ({intervalMinutes} min).
      </p>
    </Card>
  );
}
