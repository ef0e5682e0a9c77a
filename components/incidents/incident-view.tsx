"use client";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import Link from "next/link";
import { InertText } from "../inert-text";
import { SeverityBadge, StatusText, label } from "./badges";
import { DeviceList, EvidenceList } from "./evidence";
import { EntitySummary } from "./entity-summary";
import { TriageForm } from "./triage-form";
import { Card, formatDateTime } from "../ui/primitives";
import type { IncidentScreen, LiveIncidentUpdate } from "./incident-screen";

type Update = LiveIncidentUpdate & { sla?: ReactNode; history?: ReactNode };

/** Where the live refresh (LiveIncidentValues, streamed in later) hands its outcome to the page (LiveIncidentView). */
const LiveUpdates = createContext<(update: Update) => void>(() => {});

/**
 * The incident page (issue #12 §1): the stored copy rendered once, as HTML and as data for this client component;
 * the live refresh from Microsoft streams in behind `children` (a Suspense boundary) as values that replace it — its
 * outcome, and the incident only when Microsoft's copy differs — not as a second rendered page. `sla` and `history`
 * are server-rendered (their clocks read the time) and come again with the update when they changed.
 */
export function LiveIncidentView({ stored, sla, history, children }: { stored: IncidentScreen; sla: ReactNode; history: ReactNode; children: ReactNode }) {
  const [update, setUpdate] = useState<Update | null>(null);
  // A new stored copy (the page re-rendered, e.g. after a triage) starts over: an older refresh must not cover it.
  const [shown, setShown] = useState(stored);
  if (shown !== stored) {
    setShown(stored);
    setUpdate(null);
  }
  const incident = update ? { ...(update.incident ?? stored), refresh: update.refresh, syncedAt: update.syncedAt } : stored;
  return (
    <LiveUpdates value={setUpdate}>
      <IncidentView incident={incident} refreshing={!update} sla={update?.sla ?? sla} history={update?.history ?? history} />
      {children}
    </LiveUpdates>
  );
}

/** Rendered by the live refresh once it has its answer: passes it to the view above, shows nothing itself. */
export function LiveIncidentValues({ update, sla, history }: { update: LiveIncidentUpdate; sla?: ReactNode; history?: ReactNode }) {
  const set = useContext(LiveUpdates);
  useEffect(() => set({ ...update, sla, history }), [set, update, sla, history]);
  return null;
}

/** How old the stored copy is, in words ("12 minutes"). */
function age(since: Date, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - since.getTime()) / 60_000));
  if (minutes < 1) return "less than a minute";
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

/**
 * One incident: the stored copy while the live refresh runs (`refreshing`), then the fresh copy, or the stored copy
 * with its age and why Microsoft could not be asked.
 */
function IncidentView({
  incident,
  refreshing = false,
  sla,
  history,
}: {
  incident: IncidentScreen;
  refreshing?: boolean;
  /** The SLA card and the change history, rendered on the server (components/sla/sla-state.tsx, change-history.tsx). */
  sla: ReactNode;
  history: ReactNode;
}): ReactNode {
  const { portalUrl } = incident;
  return (
    <>
      <div className="mb-2 text-sm text-slate-500">
        <Link href="/incidents" className="underline">
          Incidents
        </Link>{" "}
        ·{" "}
        <Link href={`/customers/${incident.customer.id}`} className="underline">
          <InertText value={incident.customer.displayName} max={100} />
        </Link>
      </div>
      <div className="mb-4 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight" data-testid="incident-title">
            <InertText value={incident.title} max={500} />
          </h1>
          <p className="mt-1 flex flex-wrap items-center gap-3 text-sm text-slate-600">
            <SeverityBadge severity={incident.severity} /> <StatusText status={incident.status} /> <span>#{incident.sourceId}</span>
            <span>Created {formatDateTime(incident.createdTime)}</span>
            <span>Updated {formatDateTime(incident.lastUpdateTime)}</span>
          </p>
        </div>
        {portalUrl && (
          <a href={portalUrl} target="_blank" rel="noopener noreferrer" className="text-sm font-medium text-blue-800 underline">
            Open in Microsoft Defender portal ↗
          </a>
        )}
      </div>
      {refreshing && (
        <p role="status" data-testid="refresh-pending" className="mb-4 rounded-md bg-slate-50 p-3 text-sm text-slate-700 ring-1 ring-slate-200">
          <span className="mr-2 inline-block h-3 w-3 animate-spin rounded-full border-2 border-slate-400 border-t-transparent align-middle" aria-hidden />
          Refreshing from Microsoft… Showing the stored copy from {formatDateTime(incident.syncedAt)} meanwhile.
        </p>
      )}
      {incident.refresh?.ok === false && (
        <p role="status" data-testid="stale-notice" className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200">
          Showing the stored copy from {formatDateTime(incident.syncedAt)} ({age(incident.syncedAt)} old): Microsoft could not be reached just now (
          {incident.refresh.reason}).
        </p>
      )}
      {incident.refresh?.ok && (
        <p className="mb-4 text-xs text-emerald-700" data-testid="fresh-notice">
          Refreshed from Microsoft just now.
        </p>
      )}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <EntitySummary alerts={incident.alerts} />
          <Card title={`Alerts (${incident.alerts.length})`}>
            <ol className="relative space-y-5 border-l border-slate-200 pl-5" data-testid="alert-timeline">
              {incident.alerts.map((a) => (
                <li key={a.id} data-testid="incident-alert">
                  <span className="absolute -left-1.5 mt-1.5 h-3 w-3 rounded-full bg-slate-300 ring-2 ring-white" aria-hidden />
                  <time className="text-xs text-slate-500">{formatDateTime(a.createdTime)}</time>
                  <div className="flex flex-wrap items-center gap-2">
                    <SeverityBadge severity={a.severity} />
                    <Link href={`/alerts/${a.id}`} className="font-medium text-blue-800 hover:underline">
                      <InertText value={a.title} max={300} />
                    </Link>
                    <span className="text-xs text-slate-500">
                      {label(a.status)} · {a.source}
                    </span>
                  </div>
                  {a.detail.description && (
                    <p className="mt-1 text-sm text-slate-700">
                      <InertText value={a.detail.description} max={1000} />
                    </p>
                  )}
                  {a.detail.mitreTechniques.length > 0 && (
                    <p className="mt-1 text-xs text-slate-600">MITRE ATT&amp;CK: {a.detail.mitreTechniques.join(", ")}</p>
                  )}
                  <div className="mt-2">
                    <DeviceList devices={a.detail.devices} />
                  </div>
                  <div className="mt-2">
                    <EvidenceList evidence={a.detail.evidence} />
                  </div>
                </li>
              ))}
            </ol>
          </Card>
        </div>
        <div className="space-y-6">
          {sla}
          <Card title="Triage">
            <dl className="space-y-2 text-sm">
              <div>
                <dt className="text-slate-500">Assigned to</dt>
                <dd>
                  <InertText value={incident.assignedTo} max={200} />
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">Classification</dt>
                <dd>{label(incident.classification)}</dd>
              </div>
              <div>
                <dt className="text-slate-500">Determination</dt>
                <dd>{label(incident.determination)}</dd>
              </div>
              <div>
                <dt className="text-slate-500">Tags</dt>
                <dd className="flex flex-wrap gap-1">
                  {incident.tags.length
                    ? incident.tags.map((t, i) => (
                        <span key={i} className="rounded bg-slate-100 px-1.5 text-xs">
                          <InertText value={t} max={100} />
                        </span>
                      ))
                    : "—"}
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">Source</dt>
                <dd>
                  {incident.source === "graph" ? "Microsoft Graph security API" : "Defender XDR API"} · synced {formatDateTime(incident.syncedAt)}
                </dd>
              </div>
            </dl>
            {incident.canTriage ? (
              <TriageForm incidentId={incident.id} />
            ) : (
              <p className="mt-4 border-t border-slate-100 pt-4 text-xs text-slate-600" data-testid="triage-unavailable">
                Updating this incident from the portal needs the customer to grant Incident.ReadWrite.All (Microsoft Threat Protection). A partner admin can ask
                for it on the customer&apos;s page (Capabilities → Incident updates: an additional-permissions link). Until then, triage it in Microsoft&apos;s
                portal.
              </p>
            )}
          </Card>
          {history}
          {incident.description && (
            <Card title="Description">
              <p className="text-sm">
                <InertText value={incident.description} max={5000} />
              </p>
            </Card>
          )}
          <Card title={`Comments (${incident.comments.length})`}>
            {incident.comments.length === 0 ? (
              <p className="text-sm text-slate-500">No comments.</p>
            ) : (
              <ul className="space-y-3 text-sm" data-testid="comments">
                {incident.comments.map((c, i) => (
                  <li key={i}>
                    <p>
                      <InertText value={c.comment} max={4000} />
                    </p>
                    <p className="text-xs text-slate-500">
                      <InertText value={c.createdBy} max={200} /> · {formatDateTime(c.createdTime)}
                    </p>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
