"use client";
import { useActionState } from "react";
import { addCustomerAction } from "@/lib/actions/customers";
import { Button, FieldError } from "../ui/primitives";

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm aria-[invalid=true]:border-red-500";

export function AddCustomerForm({ regions }: { regions: { value: string; label: string }[] }) {
  const [state, action, pending] = useActionState(addCustomerAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    <form action={action} className="max-w-xl space-y-5 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200" noValidate>
      <div>
        <label htmlFor="displayName" className="text-sm font-medium text-slate-800">
          Customer name
        </label>
        <input id="displayName" name="displayName" required className={input} aria-invalid={Boolean(errors.displayName)} aria-describedby="displayName-error" />
        <FieldError id="displayName-error" message={errors.displayName} />
      </div>
      <div>
        <label htmlFor="tenantOrDomain" className="text-sm font-medium text-slate-800">
          Tenant ID or verified domain <span className="font-normal text-slate-500">(optional)</span>
        </label>
        <input
          id="tenantOrDomain"
          name="tenantOrDomain"
          placeholder="contoso.com or 00000000-0000-0000-0000-000000000000"
          className={input}
          aria-invalid={Boolean(errors.tenantOrDomain)}
          aria-describedby="tenantOrDomain-error tenantOrDomain-help"
        />
        <p id="tenantOrDomain-help" className="mt-1 text-xs text-slate-500">
          When known, the consent link names the tenant and the consent must come from it.
        </p>
        <FieldError id="tenantOrDomain-error" message={errors.tenantOrDomain} />
      </div>
      <div>
        <label htmlFor="region" className="text-sm font-medium text-slate-800">
          Defender data region
        </label>
        <select id="region" name="region" defaultValue="global" className={input} aria-invalid={Boolean(errors.region)} aria-describedby="region-error">
          {regions.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
        <FieldError id="region-error" message={errors.region} />
      </div>
      {state && !state.ok && state.formError && (
        <p role="alert" className="text-sm text-red-700">
          {state.formError}
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Adding…" : "Add customer"}
      </Button>
    </form>
  );
}
