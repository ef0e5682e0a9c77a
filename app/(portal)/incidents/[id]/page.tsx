import { Suspense } from "react";
import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { serverConfig } from "@/lib/config/env";
import { getIncidentDetail } from "@/lib/data/incidents";
import { getIncidentSla, type IncidentSlaView } from "@/lib/data/sla";
import type { Viewer } from "@/lib/auth/viewer";
import { LiveIncidentValues, LiveIncidentView } from "@/components/incidents/incident-view";
import { liveUpdate, toIncidentScreen, type IncidentScreen } from "@/components/incidents/incident-screen";
import { SlaStateCard } from "@/components/sla/sla-state";
import { ChangeHistory } from "@/components/incidents/change-history";
import { DeviceResponseSection } from "@/components/devices/device-response-section";

/**
 * The stored copy renders at once; the live refresh from Microsoft streams in behind a Suspense boundary and is
 * bounded by LIVE_REFRESH_TIMEOUT_MS, after which the stored copy stays, with its age and the reason. The refresh
 * sends values that replace the stored ones (components/incidents/incident-view.tsx), not a second page.
 */
export default async function IncidentPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const { id } = await params;
  const [stored, sla] = await Promise.all([getIncidentDetail(viewer, id, { refresh: false }), getIncidentSla(viewer, id)]);
  if (!stored) notFound();
  const screen = toIncidentScreen(stored);
  // Response actions sit below the incident, outside its live refresh: they follow Microsoft's machine actions instead.
  return (
    <>
      <LiveIncidentView stored={screen} sla={<SlaCard sla={sla} />} history={<History sla={sla} />}>
        <Suspense fallback={null}>
          <LiveIncident viewer={viewer} id={id} stored={screen} storedSla={sla} />
        </Suspense>
      </LiveIncidentView>
      <div className="mt-6">
        <Suspense fallback={null}>
          <DeviceResponseSection viewer={viewer} context={{ incidentId: stored.id }} />
        </Suspense>
      </div>
    </>
  );
}

async function LiveIncident({ viewer, id, stored, storedSla }: { viewer: Viewer; id: string; stored: IncidentScreen; storedSla: IncidentSlaView | null }) {
  const incident = await getIncidentDetail(viewer, id, { timeoutMs: serverConfig().liveRefreshTimeoutMs });
  if (!incident) notFound();
  // Read after the refresh: a change it observed is in the history already.
  const sla = await getIncidentSla(viewer, id);
  const slaChanged = JSON.stringify(sla) !== JSON.stringify(storedSla);
  return (
    <LiveIncidentValues
      update={liveUpdate(stored, toIncidentScreen(incident))}
      {...(slaChanged ? { sla: <SlaCard sla={sla} />, history: <History sla={sla} /> } : {})}
    />
  );
}

function SlaCard({ sla }: { sla: IncidentSlaView | null }) {
  return sla && <SlaStateCard sla={sla} intervalMinutes={serverConfig().syncIntervalMinutes} />;
}

function History({ sla }: { sla: IncidentSlaView | null }) {
  return sla && <ChangeHistory changes={sla.changes} intervalMinutes={serverConfig().syncIntervalMinutes} />;
}
