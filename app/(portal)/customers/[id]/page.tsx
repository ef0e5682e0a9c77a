import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { getCustomerDetail, REGION_LABELS } from "@/lib/data/customers";
import { ConsentLinkPanel } from "@/components/customers/consent-link-panel";
import { ConsentHistory } from "@/components/customers/consent-history";
import { PermissionsTable } from "@/components/customers/permissions-table";
import { Card, PageHeader, formatDateTime } from "@/components/ui/primitives";
import { StatusBadge } from "@/components/ui/status-badge";

export default async function CustomerPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const { id } = await params;
  const customer = await getCustomerDetail(viewer, id);
  if (!customer) notFound();
  return (
    <>
      <PageHeader
        title={<span className="inert-text">{customer.displayName}</span>}
        description={<>Region: {REGION_LABELS[customer.region]} · Tenant ID: <span className="font-mono" data-testid="tenant-id">{customer.tenantId ?? "not known yet"}</span>{customer.domain && <> · Domain: {customer.domain}</>}</>}
        actions={<StatusBadge status={customer.status} />}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          {customer.statusReason && (
            <p role="status" data-testid="status-reason" className="rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-200">{customer.statusReason}</p>
          )}
          {customer.canOnboard && customer.status !== "CONSENTED" && (
            <ConsentLinkPanel customerId={customer.id} link={customer.link} legacyLink={customer.legacyLink} />
          )}
          <Card title="Permissions">
            <PermissionsTable permissions={customer.permissions} />
            {customer.extraGrantedRoles.length > 0 && (
              <p className="mt-3 text-xs text-slate-600">Also granted: {customer.extraGrantedRoles.join(", ")}</p>
            )}
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="Consent">
            <dl className="space-y-2 text-sm">
              <div><dt className="text-slate-500">Consented at</dt><dd data-testid="consented-at">{formatDateTime(customer.consentedAt)}</dd></div>
              <div><dt className="text-slate-500">How</dt><dd>{customer.consentedVia === "LINK" ? "Admin-consent link (verified callback)" : customer.consentedVia === "MANUAL" ? "Legacy link + tenant ID typed by partner (verified)" : "—"}</dd></div>
            </dl>
          </Card>
          <Card title="History">
            <ConsentHistory events={customer.events} />
          </Card>
        </div>
      </div>
    </>
  );
}
