"use client";
import Link from "next/link";
import { startTransition, useActionState } from "react";
import { setCustomerGroupsAction } from "@/lib/actions/groups";
import { ActionResult } from "../ui/action-result";

/** The customer page's group membership (admin): tick the groups this customer belongs to. */
export function CustomerGroupsForm({ customerId, groups }: { customerId: string; groups: { id: string; name: string; member: boolean }[] }) {
  const [state, action, pending] = useActionState(setCustomerGroupsAction.bind(null, customerId), null);
  if (groups.length === 0) {
    return (
      <p className="text-sm text-slate-500">
        No groups yet.{" "}
        <Link href="/settings/groups" className="underline">
          Create one
        </Link>
        .
      </p>
    );
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => action(form));
      }}
      className="space-y-2 text-sm"
      data-testid="customer-groups-form"
    >
      {groups.map((g) => (
        <label key={g.id} className="flex items-center gap-2">
          <input type="checkbox" name="group" value={g.id} defaultChecked={g.member} /> <span className="inert-text">{g.name}</span>
        </label>
      ))}
      <button type="submit" disabled={pending} className="rounded-md bg-slate-800 px-3 py-1.5 text-xs font-semibold text-white disabled:opacity-50">
        {pending ? "Saving…" : "Save groups"}
      </button>
      <ActionResult state={state} testId="customer-groups" />
    </form>
  );
}
