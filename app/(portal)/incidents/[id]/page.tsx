import { Suspense } from "react";
import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { serverConfig } from "@/lib/config/env";
import { getIncidentDetail } from "@/lib/data/incidents";
import { getIncidentSla } from "@/lib/data/sla";
import type { Viewer } from "@/lib/auth/viewer";
import { IncidentView } from "@/components/incidents/incident-view";
import { DeviceResponseSection } from "@/components/devices/device-response-section";

/**
 * The stored copy renders at once; the live refresh from Microsoft streams in behind a Suspense boundary and is
 * bounded by LIVE_REFRESH_TIMEOUT_MS, after which the stored copy stays, with its age and the reason.
 */
export default async function IncidentPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const { id } = await params;
  const [stored, sla] = await Promise.all([getIncidentDetail(viewer, id, { refresh: false }), getIncidentSla(viewer, id)]);
  if (!stored) notFound();
  const interval = serverConfig().syncIntervalMinutes;
  // Response actions sit below the incident, outside its live refresh: they follow Microsoft's machine actions instead.
  return (
    <>
      <Suspense fallback={<IncidentView incident={stored} refreshing sla={sla} syncIntervalMinutes={interval} />}>
        <LiveIncident viewer={viewer} id={id} />
      </Suspense>
      <div className="mt-6">
        <Suspense fallback={null}>
          <DeviceResponseSection viewer={viewer} context={{ incidentId: stored.id }} />
        </Suspense>
      </div>
    </>
  );
}

async function LiveIncident({ viewer, id }: { viewer: Viewer; id: string }) {
  const incident = await getIncidentDetail(viewer, id, { timeoutMs: serverConfig().liveRefreshTimeoutMs });
  if (!incident) notFound();
  // Read after the refresh: a change it observed is in the history already.
  const sla = await getIncidentSla(viewer, id);
  return <IncidentView incident={incident} sla={sla} syncIntervalMinutes={serverConfig().syncIntervalMinutes} />;
}
