import { Suspense } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { getAlertDetail } from "@/lib/data/incidents";
import { InertText, safeMicrosoftUrl } from "@/components/inert-text";
import { SeverityBadge, label } from "@/components/incidents/badges";
import { DeviceList, EvidenceList } from "@/components/incidents/evidence";
import { Card, formatDateTime } from "@/components/ui/primitives";
import { DeviceResponseSection } from "@/components/devices/device-response-section";

export default async function AlertPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const { id } = await params;
  const alert = await getAlertDetail(viewer, id);
  if (!alert) notFound();
  const portalUrl = safeMicrosoftUrl(alert.detail.webUrl);
  return (
    <>
      <div className="mb-2 text-sm text-slate-500">
        <Link href="/alerts" className="underline">
          Alerts
        </Link>{" "}
        ·{" "}
        <Link href={`/customers/${alert.customer.id}`} className="underline">
          <InertText value={alert.customer.displayName} max={100} />
        </Link>
        {alert.incident && (
          <>
            {" "}
            ·{" "}
            <Link href={`/incidents/${alert.incident.id}`} className="underline">
              Incident: <InertText value={alert.incident.title} max={100} />
            </Link>
          </>
        )}
      </div>
      <h1 className="text-2xl font-semibold tracking-tight" data-testid="alert-title">
        <InertText value={alert.title} max={500} />
      </h1>
      <p className="mb-6 mt-1 flex flex-wrap items-center gap-3 text-sm text-slate-600">
        <SeverityBadge severity={alert.severity} /> <span>{label(alert.status)}</span> <span>{label(alert.serviceSource ?? alert.detectionSource)}</span>
        <span>Created {formatDateTime(alert.createdTime)}</span>
        {portalUrl && (
          <a href={portalUrl} target="_blank" rel="noopener noreferrer" className="font-medium text-blue-800 underline">
            Open in Microsoft Defender portal ↗
          </a>
        )}
      </p>
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          {alert.detail.description && (
            <Card title="Description">
              <p className="text-sm">
                <InertText value={alert.detail.description} max={5000} />
              </p>
            </Card>
          )}
          <Card title="Evidence">
            <EvidenceList evidence={alert.detail.evidence} />
          </Card>
          {/* Streams in: it may ask Microsoft for the state of running actions. */}
          <Suspense fallback={null}>
            <DeviceResponseSection viewer={viewer} context={{ alertId: alert.id }} />
          </Suspense>
        </div>
        <div className="space-y-6">
          <Card title="Details">
            <dl className="space-y-2 text-sm">
              <div>
                <dt className="text-slate-500">Category</dt>
                <dd>
                  <InertText value={alert.category} max={100} />
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">Classification</dt>
                <dd>
                  {label(alert.classification)} {alert.determination && `· ${label(alert.determination)}`}
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">Assigned to</dt>
                <dd>
                  <InertText value={alert.assignedTo} max={200} />
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">Activity</dt>
                <dd>
                  {formatDateTime(alert.detail.firstActivity)} → {formatDateTime(alert.detail.lastActivity)}
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">MITRE ATT&amp;CK</dt>
                <dd>{alert.detail.mitreTechniques.join(", ") || "—"}</dd>
              </div>
              <div>
                <dt className="text-slate-500">Threat family</dt>
                <dd>
                  <InertText value={alert.detail.threatFamilyName} max={200} />
                </dd>
              </div>
            </dl>
          </Card>
          <Card title="Devices">
            <DeviceList devices={alert.detail.devices} />
          </Card>
        </div>
      </div>
    </>
  );
}
