"use client";
import { useActionState } from "react";
import { manualTenantAction } from "@/lib/actions/customers";
import { Button, FieldError } from "../ui/primitives";

export function ManualTenantForm({ customerId }: { customerId: string }) {
  const [state, action, pending] = useActionState(manualTenantAction.bind(null, customerId), null);
  const error = state && !state.ok ? (state.fieldErrors.tenantId ?? state.formError) : undefined;
  return (
    <form action={action} className="mt-3 flex flex-wrap items-start gap-2" noValidate>
      <div className="grow">
        <label htmlFor="manual-tenant" className="sr-only">
          Customer tenant ID
        </label>
        <input
          id="manual-tenant"
          name="tenantId"
          placeholder="Customer tenant ID (GUID)"
          className="w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
          aria-invalid={Boolean(error)}
          aria-describedby="manual-tenant-error"
        />
        <FieldError id="manual-tenant-error" message={error} />
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Verifying…" : "Verify tenant"}
      </Button>
    </form>
  );
}
