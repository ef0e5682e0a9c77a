import type { IncidentDetailView } from "@/lib/data/incidents";
import type { AlertDetail, IncidentDetail } from "@/lib/sync/model";
import { safeMicrosoftUrl } from "../inert-text";

// The incident page as its client view (incident-view.tsx) receives it. A module of its own, not inside the
// "use client" file: on the server, what a client module exports is only a reference to it.

/**
 * One incident as the browser needs it: what the page shows, nothing else (the customer's tenant, region and roles
 * stay on the server). The React payload carries this once, as data, instead of the rendered page (issue #12 §1).
 */
export interface IncidentScreen extends Pick<
  IncidentDetailView,
  "id" | "sourceId" | "title" | "severity" | "status" | "classification" | "determination" | "assignedTo" | "tags" | "source" | "syncedAt"
> {
  /** Microsoft's portal link, only when it is one (safeMicrosoftUrl). */
  portalUrl: string | null;
  createdTime: Date | null;
  lastUpdateTime: Date | null;
  customer: { id: string; displayName: string };
  canTriage: boolean;
  description: IncidentDetail["description"];
  comments: IncidentDetail["comments"];
  refresh: IncidentDetailView["refresh"];
  alerts: {
    id: string;
    title: string;
    severity: string;
    status: string;
    /** Service or detection source. */
    source: string;
    createdTime: Date | null;
    detail: Pick<AlertDetail, "description" | "mitreTechniques" | "devices" | "evidence">;
  }[];
}

export function toIncidentScreen(i: IncidentDetailView): IncidentScreen {
  return {
    id: i.id,
    sourceId: i.sourceId,
    title: i.title,
    severity: i.severity,
    status: i.status,
    classification: i.classification,
    determination: i.determination,
    assignedTo: i.assignedTo,
    tags: i.tags,
    source: i.source,
    portalUrl: safeMicrosoftUrl(i.webUrl),
    createdTime: i.createdTime,
    lastUpdateTime: i.lastUpdateTime,
    syncedAt: i.syncedAt,
    customer: { id: i.customer.id, displayName: i.customer.displayName },
    canTriage: i.canTriage,
    description: i.detail?.description ?? null,
    comments: i.detail?.comments ?? [],
    refresh: i.refresh,
    alerts: i.alerts.map((a) => ({
      id: a.id,
      title: a.title,
      severity: a.severity,
      status: a.status,
      source: a.serviceSource ?? a.detectionSource ?? "",
      createdTime: a.createdTime,
      detail: {
        description: a.detail?.description ?? null,
        mitreTechniques: a.detail?.mitreTechniques ?? [],
        devices: a.detail?.devices ?? [],
        evidence: a.detail?.evidence ?? [],
      },
    })),
  };
}

/**
 * What the live refresh sends: its outcome, and the incident again only when Microsoft's copy differs from the one
 * already on the page (the usual case is no change: then a few bytes instead of a second copy of the page).
 */
export interface LiveIncidentUpdate {
  refresh: IncidentScreen["refresh"];
  syncedAt: Date;
  incident?: IncidentScreen;
}

export function liveUpdate(stored: IncidentScreen, fresh: IncidentScreen): LiveIncidentUpdate {
  const same = JSON.stringify({ ...stored, refresh: null, syncedAt: null }) === JSON.stringify({ ...fresh, refresh: null, syncedAt: null });
  return same ? { refresh: fresh.refresh, syncedAt: fresh.syncedAt } : { refresh: fresh.refresh, syncedAt: fresh.syncedAt, incident: fresh };
}
