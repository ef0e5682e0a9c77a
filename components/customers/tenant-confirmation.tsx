import { confirmTenantAction, rejectTenantAction } from "@/lib/actions/tenant-binding";
import { InertText } from "../inert-text";
import { ActionButton } from "../ui/action-button";
import { Card } from "../ui/primitives";

/** A name-only customer's consent came from a tenant nobody has vouched for: a partner admin says yes or no. */
export function TenantConfirmation(props: {
  customerId: string;
  customerName: string;
  tenantId: string;
  tenantName: string | null;
  tenantDomain: string | null;
  canDecide: boolean;
}) {
  return (
    <Card title="Confirm the tenant">
      <p className="text-sm text-slate-800" data-testid="awaiting-confirmation">
        {/* Graph's name and domain are the tenant's own words: rendered inert, like all tenant text. */}
        Tenant <strong>{props.tenantName ? <InertText value={props.tenantName} max={256} /> : "(name unknown)"}</strong> (
        {props.tenantDomain ? <InertText value={props.tenantDomain} max={253} /> : "no default domain known"},{" "}
        <span className="font-mono">{props.tenantId}</span>) consented for customer{" "}
        <strong>
          <InertText value={props.customerName} max={100} />
        </strong>
        .
      </p>
      <p className="mt-2 text-xs text-slate-600">
        Nothing syncs until a partner admin confirms that this tenant is this customer. Reject it if it is not: the customer goes back to waiting for consent.
      </p>
      {props.canDecide && (
        <div className="mt-3 flex gap-2">
          <ActionButton action={confirmTenantAction.bind(null, props.customerId)} label="Confirm tenant" pendingLabel="Confirming…" testId="confirm-tenant" />
          <ActionButton
            action={rejectTenantAction.bind(null, props.customerId)}
            label="Reject"
            pendingLabel="Rejecting…"
            variant="secondary"
            testId="reject-tenant"
          />
        </div>
      )}
    </Card>
  );
}
