"use client";
import { useActionState } from "react";
import { confirmTenantAction, rejectTenantAction } from "@/lib/actions/tenant-binding";
import type { Result } from "@/lib/result";
import { ActionResult } from "../ui/action-result";
import { Button, Card } from "../ui/primitives";

/** A name-only customer's consent came from a tenant nobody has vouched for: a partner admin says yes or no. */
export function TenantConfirmation(props: { customerId: string; customerName: string; tenantId: string; tenantName: string | null; tenantDomain: string | null; canDecide: boolean }) {
  const [confirmed, confirm, confirming] = useActionState<Result | null>(() => confirmTenantAction(props.customerId), null);
  const [rejected, reject, rejecting] = useActionState<Result | null>(() => rejectTenantAction(props.customerId), null);
  return (
    <Card title="Confirm the tenant">
      <p className="text-sm text-slate-800" data-testid="awaiting-confirmation">
        Tenant <strong className="inert-text">{props.tenantName ?? "(name unknown)"}</strong> ({props.tenantDomain ? <span className="inert-text">{props.tenantDomain}</span> : "no default domain known"},{" "}
        <span className="font-mono">{props.tenantId}</span>) consented for customer <strong className="inert-text">{props.customerName}</strong>.
      </p>
      <p className="mt-2 text-xs text-slate-600">Nothing syncs until a partner admin confirms that this tenant is this customer. Reject it if it is not: the customer goes back to waiting for consent.</p>
      {props.canDecide && (
        <div className="mt-3 flex gap-2">
          <form action={confirm}><Button type="submit" disabled={confirming || rejecting} data-testid="confirm-tenant">Confirm tenant</Button></form>
          <form action={reject}><Button type="submit" variant="secondary" disabled={confirming || rejecting} data-testid="reject-tenant">Reject</Button></form>
        </div>
      )}
      <ActionResult result={confirmed ?? rejected} testId="confirmation-result" />
    </Card>
  );
}
