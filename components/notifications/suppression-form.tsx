"use client";
import { useActionState } from "react";
import { createSuppressionAction } from "@/lib/actions/notifications";
import type { Result } from "@/lib/result";
import { ActionResult } from "../ui/action-result";
import { Button, FieldError } from "../ui/primitives";

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm aria-[invalid=true]:border-red-500";
type Option = { id: string; name: string };

export function SuppressionForm({ customers, groups }: { customers: Option[]; groups: Option[] }) {
  const [state, action, pending] = useActionState<Result | null, FormData>(createSuppressionAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    <form action={action} className="space-y-3" data-testid="suppression-form" noValidate>
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor="supp-customers" className="text-sm font-medium text-slate-800">
            Customers <span className="font-normal text-slate-500">(none and no group = all)</span>
          </label>
          <select id="supp-customers" name="customerIds" multiple className={`${input} h-24`}>
            {customers.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="supp-groups" className="text-sm font-medium text-slate-800">
            Groups
          </label>
          <select id="supp-groups" name="groupIds" multiple className={`${input} h-24`}>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="grid gap-3 sm:grid-cols-3">
        <div>
          <label htmlFor="supp-title" className="text-sm font-medium text-slate-800">
            Title contains <span className="font-normal text-slate-500">(plain text)</span>
          </label>
          <input id="supp-title" name="titleContains" className={input} />
          <FieldError id="supp-title-error" message={errors.titleContains} />
        </div>
        <div>
          <label htmlFor="supp-until" className="text-sm font-medium text-slate-800">
            Until (UTC)
          </label>
          <input id="supp-until" name="until" type="datetime-local" className={input} aria-invalid={Boolean(errors.until)} />
          <FieldError id="supp-until-error" message={errors.until} />
        </div>
        <div>
          <label htmlFor="supp-reason" className="text-sm font-medium text-slate-800">
            Why
          </label>
          <input id="supp-reason" name="reason" className={input} aria-invalid={Boolean(errors.reason)} />
          <FieldError id="supp-reason-error" message={errors.reason} />
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add suppression"}
        </Button>
        <ActionResult state={state} testId="suppression-form" />
      </div>
    </form>
  );
}
