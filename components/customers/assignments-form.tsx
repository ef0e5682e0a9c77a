"use client";
import { startTransition, useActionState } from "react";
import { setAssignmentsAction } from "@/lib/actions/assignments";
import { ActionResult } from "../ui/action-result";

interface Analyst {
  id: string;
  displayName: string;
  email: string;
  assigned: boolean;
}

/** Which analysts work this customer; the save's outcome shows under the button. */
export function AssignmentsForm({ customerId, analysts }: { customerId: string; analysts: Analyst[] }) {
  const [state, action, pending] = useActionState(setAssignmentsAction.bind(null, customerId), null);
  return (
    <form
      // Submitted by hand, not as `action`: React resets a form after its action runs, and a refused save must keep
      // the boxes as the admin ticked them.
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => action(form));
      }}
      className="space-y-2 text-sm"
      data-testid="assignments-form"
    >
      {analysts.length === 0 && <p className="text-slate-500">No analysts have signed in yet.</p>}
      {analysts.map((a) => (
        <label key={a.id} className="flex items-center gap-2">
          <input type="checkbox" name="analyst" value={a.id} defaultChecked={a.assigned} /> {a.displayName}{" "}
          <span className="text-xs text-slate-500">{a.email}</span>
        </label>
      ))}
      {analysts.length > 0 && (
        <button type="submit" disabled={pending} className="rounded-md bg-slate-800 px-3 py-1.5 text-xs font-semibold text-white disabled:opacity-50">
          {pending ? "Saving…" : "Save assignments"}
        </button>
      )}
      <ActionResult state={state} testId="assignments" />
    </form>
  );
}
