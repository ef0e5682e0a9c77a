import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { getCustomerDetail, REGION_LABELS } from "@/lib/data/customers";
import { getCustomerHealth } from "@/lib/data/health";
import { getCustomerAssignments } from "@/lib/data/assignments";
import { getCustomerGroups } from "@/lib/data/groups";
import { CustomerGroupsForm } from "@/components/groups/customer-groups-form";
import { can } from "@/lib/auth/viewer";
import { SyncStatus } from "@/components/customers/sync-status";
import { TrendChart } from "@/components/customers/trend-chart";
import { SeverityBadge } from "@/components/incidents/badges";
import Link from "next/link";
import { AssignmentsForm } from "@/components/customers/assignments-form";
import { ConsentLinkPanel } from "@/components/customers/consent-link-panel";
import { ConsentHistory } from "@/components/customers/consent-history";
import { PermissionsTable } from "@/components/customers/permissions-table";
import { CapabilitiesPanel } from "@/components/customers/capabilities-panel";
import { TenantConfirmation } from "@/components/customers/tenant-confirmation";
import { Card, PageHeader, formatDateTime } from "@/components/ui/primitives";
import { StatusBadge } from "@/components/ui/status-badge";
import { getDelegatedConnection } from "@/lib/data/delegated";
import { ConnectLink, WriteModeForm } from "@/components/customers/user-context";

export default async function CustomerPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const { id } = await params;
  const customer = await getCustomerDetail(viewer, id);
  if (!customer) notFound();
  const [health, assignments, groups, connection] = await Promise.all([
    getCustomerHealth(viewer, id),
    can(viewer, "customers:assign") ? getCustomerAssignments(viewer, id) : Promise.resolve(null),
    can(viewer, "customers:assign") ? getCustomerGroups(viewer, id) : Promise.resolve(null),
    getDelegatedConnection(viewer, id),
  ]);
  // Health, refresh and the importer belong to a tenant that is this customer's: consented, not pending or unconfirmed.
  const bound = Boolean(customer.tenantId) && customer.status !== "PENDING" && customer.status !== "AWAITING_CONFIRMATION";
  return (
    <>
      <PageHeader
        title={<span className="inert-text">{customer.displayName}</span>}
        description={
          <>
            Region: {REGION_LABELS[customer.region]} · Tenant ID:{" "}
            <span className="font-mono" data-testid="tenant-id">
              {customer.tenantId ?? "not known yet"}
            </span>
            {customer.domain && <> · Domain: {customer.domain}</>}
          </>
        }
        actions={
          <>
            <Link href={`/customers/${customer.id}/report`} className="text-sm font-medium text-blue-800 underline" data-testid="customer-report-link">
              Service report
            </Link>
            <StatusBadge status={customer.status} />
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          {customer.statusReason && (
            <p role="status" data-testid="status-reason" className="rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-200">
              {customer.statusReason}
            </p>
          )}
          {customer.awaitingConfirmation && customer.tenantId && (
            <TenantConfirmation
              customerId={customer.id}
              customerName={customer.displayName}
              tenantId={customer.tenantId}
              tenantName={customer.tenantDisplayName}
              tenantDomain={customer.tenantDefaultDomain}
              canDecide={customer.canOnboard}
            />
          )}
          {customer.canOnboard && customer.status !== "CONSENTED" && customer.status !== "AWAITING_CONFIRMATION" && (
            <ConsentLinkPanel customerId={customer.id} link={customer.link} legacyLink={customer.legacyLink} />
          )}
          {health && bound && (
            <Card title="Health">
              <dl className="mb-4 grid gap-3 text-sm sm:grid-cols-3" data-testid="health-summary">
                <div>
                  <dt className="text-slate-500">Consent</dt>
                  <dd>{customer.status.toLowerCase()}</dd>
                </div>
                <div>
                  <dt className="text-slate-500">Permissions</dt>
                  <dd>
                    {health.permissions.filter((p) => p.granted).length} of {health.permissions.length} granted
                  </dd>
                </div>
                <div>
                  <dt className="text-slate-500">Defender licence</dt>
                  <dd data-testid="licence">
                    {health.licence === "missing" ? (
                      <span className="text-red-700">Missing (AADSTS500011)</span>
                    ) : health.licence === "ok" ? (
                      "Present"
                    ) : (
                      "Not checked yet"
                    )}
                  </dd>
                </div>
              </dl>
              <SyncStatus customerId={customer.id} initial={health.feeds} canRefresh={can(viewer, "sync:refresh")} />
            </Card>
          )}
          {health && bound && (
            <Card title="Open incidents">
              <div className="mb-4 flex flex-wrap gap-4 text-sm" data-testid="open-by-severity">
                {(["high", "medium", "low", "informational"] as const).map((s) => (
                  <Link
                    key={s}
                    href={`/incidents?customer=${customer.id}&severity=${s}&status=active,inProgress&range=all`}
                    className="flex items-center gap-2"
                  >
                    <SeverityBadge severity={s} /> <span className="tabular-nums">{health.openBySeverity[s]}</span>
                  </Link>
                ))}
              </div>
              <TrendChart trend={health.trend} />
            </Card>
          )}
          <Card title="Capabilities">
            <CapabilitiesPanel customerId={customer.id} capabilities={customer.capabilities} />
            {customer.permissionsCheckedAt && (
              <p className="mt-2 text-xs text-slate-500" data-testid="permissions-checked">
                Granted permissions last read from a Microsoft token {formatDateTime(customer.permissionsCheckedAt)}.
              </p>
            )}
          </Card>
          <Card title="Permissions">
            {customer.permissionsMissingSince && (
              <p className="mb-2 text-sm text-red-700" data-testid="permissions-missing-since">
                Permission missing:{" "}
                {customer.permissions
                  .filter((p) => !p.granted)
                  .map((p) => p.permission)
                  .join(", ")}
                , since {formatDateTime(customer.permissionsMissingSince)}.
              </p>
            )}
            <PermissionsTable permissions={customer.permissions} />
            {customer.extraGrantedRoles.length > 0 && <p className="mt-3 text-xs text-slate-600">Also granted: {customer.extraGrantedRoles.join(", ")}</p>}
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="Consent">
            <dl className="space-y-2 text-sm">
              <div>
                <dt className="text-slate-500">Consented at</dt>
                <dd data-testid="consented-at">{formatDateTime(customer.consentedAt)}</dd>
              </div>
              <div>
                <dt className="text-slate-500">How</dt>
                <dd>
                  {customer.consentedVia === "LINK"
                    ? "Admin-consent link (verified callback)"
                    : customer.consentedVia === "MANUAL"
                      ? "Legacy link + tenant ID typed by partner (verified)"
                      : "—"}
                </dd>
              </div>
            </dl>
          </Card>
          {bound && connection && (
            <Card title="Who makes changes at Microsoft">
              <div className="space-y-3 text-sm" data-testid="user-context" data-write-mode={connection.writeMode}>
                <p>
                  {connection.writeMode === "analyst"
                    ? "Each analyst, with their own account in this customer's tenant (user context)."
                    : "The portal's app (application context)."}{" "}
                  Reads and the sync always use the app.
                </p>
                {connection.canSetMode && <WriteModeForm customerId={customer.id} writeMode={connection.writeMode} />}
                {connection.canConnect && (
                  <p>
                    {connection.connected ? (
                      <>
                        You are connected as <span className="inert-text">{connection.username}</span>.{" "}
                      </>
                    ) : null}
                    <ConnectLink customerId={customer.id} connected={connection.connected} />
                  </p>
                )}
              </div>
            </Card>
          )}
          {bound && (
            <Card title="Legacy SIEM API">
              <p className="text-sm text-slate-600">Pull this customer&apos;s detections from the deprecated SIEM REST API as JSON or CSV.</p>
              <Link href={`/customers/${customer.id}/siem`} className="mt-2 inline-block text-sm font-medium text-blue-800 underline">
                Open the importer
              </Link>
            </Card>
          )}
          {assignments && (
            <Card title="Analysts">
              <AssignmentsForm customerId={customer.id} analysts={assignments} />
            </Card>
          )}
          {groups && (
            <Card title="Groups">
              <CustomerGroupsForm customerId={customer.id} groups={groups} />
            </Card>
          )}
          <Card title="History">
            <ConsentHistory events={customer.events} />
          </Card>
        </div>
      </div>
    </>
  );
}
