"use client";
import { useActionState } from "react";
import { triageIncidentAction } from "@/lib/actions/triage";
import { Button, FieldError } from "../ui/primitives";
import { TriageFields, triageFieldClass } from "./triage-fields";

/** Status, assignment, classification and a comment, written to Microsoft in one update. */
export function TriageForm({ incidentId }: { incidentId: string }) {
  const [state, action, pending] = useActionState(triageIncidentAction.bind(null, incidentId), null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    <form action={action} className="mt-4 space-y-3 border-t border-slate-100 pt-4 text-sm" data-testid="triage-form" noValidate>
      <TriageFields errors={errors} />
      <label className="block text-xs font-medium text-slate-700">
        Comment
        <textarea name="comment" rows={3} maxLength={10_000} className={triageFieldClass} aria-describedby="comment-error" />
        <FieldError id="comment-error" message={errors.comment} />
      </label>
      {state && !state.ok && state.formError && (
        <p role="alert" className="text-sm text-red-700" data-testid="triage-error">
          {state.formError}
        </p>
      )}
      {state?.ok && (
        <p role="status" className="text-sm text-emerald-700" data-testid="triage-done">
          Updated at Microsoft.
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Updating…" : "Update incident"}
      </Button>
    </form>
  );
}
