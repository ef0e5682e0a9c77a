"use client";
import { useRouter } from "next/navigation";
import { startTransition, useActionState, useState, useTransition } from "react";
import { addGroupCustomersAction, deleteGroupAction, removeGroupCustomerAction, setGroupAnalystsAction } from "@/lib/actions/groups";
import type { Result } from "@/lib/result";
import { ActionResult } from "../ui/action-result";
import { Button } from "../ui/primitives";

/** Deletes the group after a confirmation, then goes back to the list. */
export function DeleteGroupButton({ groupId, name }: { groupId: string; name: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [state, setState] = useState<Result | null>(null);
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <Button
        type="button"
        variant="danger"
        disabled={pending}
        data-testid="group-delete"
        onClick={() => {
          if (!window.confirm(`Delete the group “${name}”? Its customers stay; analysts assigned through it lose access to them.`)) return;
          start(async () => {
            const r = await deleteGroupAction(groupId);
            setState(r);
            if (r.ok) router.push("/settings/groups");
          });
        }}
      >
        {pending ? "Deleting…" : "Delete group"}
      </Button>
      <ActionResult state={state} testId="group-delete" />
    </span>
  );
}

/** One member's "Remove" button. */
export function RemoveMemberButton({ groupId, customerId, name }: { groupId: string; customerId: string; name: string }) {
  const [pending, start] = useTransition();
  const [state, setState] = useState<Result | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        disabled={pending}
        aria-label={`Remove ${name} from the group`}
        data-testid="group-remove-customer"
        className="text-xs text-red-700 underline disabled:opacity-50"
        onClick={() => start(async () => setState(await removeGroupCustomerAction(groupId, customerId)))}
      >
        {pending ? "Removing…" : "Remove"}
      </button>
      {state && !state.ok && <ActionResult state={state} testId="group-remove" />}
    </span>
  );
}

/** Ticks customers found by name and adds them to the group. */
export function AddMembersForm({ groupId, candidates }: { groupId: string; candidates: { id: string; displayName: string }[] }) {
  const [state, action, pending] = useActionState(addGroupCustomersAction.bind(null, groupId), null);
  if (candidates.length === 0) return <p className="text-sm text-slate-500">No other customer matches.</p>;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => action(form));
      }}
      className="space-y-2 text-sm"
      data-testid="group-add-customers"
    >
      <div className="max-h-64 space-y-1 overflow-y-auto">
        {candidates.map((c) => (
          <label key={c.id} className="flex items-center gap-2">
            <input type="checkbox" name="customer" value={c.id} /> <span className="inert-text">{c.displayName}</span>
          </label>
        ))}
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Adding…" : "Add selected customers"}
      </Button>
      <ActionResult state={state} testId="group-add" />
    </form>
  );
}

/** Which analysts see every customer of the group. */
export function GroupAnalystsForm({
  groupId,
  analysts,
}: {
  groupId: string;
  analysts: { id: string; displayName: string; email: string; assigned: boolean }[];
}) {
  const [state, action, pending] = useActionState(setGroupAnalystsAction.bind(null, groupId), null);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => action(form));
      }}
      className="space-y-2 text-sm"
      data-testid="group-analysts-form"
    >
      {analysts.length === 0 && <p className="text-slate-500">No analysts have signed in yet.</p>}
      {analysts.map((a) => (
        <label key={a.id} className="flex items-center gap-2">
          <input type="checkbox" name="analyst" value={a.id} defaultChecked={a.assigned} /> {a.displayName}{" "}
          <span className="text-xs text-slate-500">{a.email}</span>
        </label>
      ))}
      {analysts.length > 0 && (
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save analysts"}
        </Button>
      )}
      <ActionResult state={state} testId="group-analysts" />
    </form>
  );
}
