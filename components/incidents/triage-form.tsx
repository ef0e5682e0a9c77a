"use client";
import { useActionState } from "react";
import { triageIncidentAction } from "@/lib/actions/triage";
import { canonicalClassification, canonicalDetermination, label } from "@/lib/shared/canonical";
import { Button, FieldError } from "../ui/primitives";

const DETERMINATIONS: Record<string, readonly string[]> = {
  TruePositive: ["MultiStagedAttack", "MaliciousUserActivity", "CompromisedAccount", "Malware", "Phishing", "UnwantedSoftware", "Other"],
  InformationalExpectedActivity: ["SecurityTesting", "LineOfBusinessApplication", "ConfirmedActivity", "Other"],
  FalsePositive: ["Clean", "NoEnoughDataToValidate", "Other"],
};
// Microsoft takes the XDR spelling (api-update-incidents.md); people see the one label of the canonical value.
const classificationLabel = (v: string) => label(canonicalClassification(v));
const determinationLabel = (v: string) => label(canonicalDetermination(v));
const select = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";

/** Status, assignment, classification and a comment, written to Microsoft in one update. */
export function TriageForm({ incidentId }: { incidentId: string }) {
  const [state, action, pending] = useActionState(triageIncidentAction.bind(null, incidentId), null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    <form action={action} className="mt-4 space-y-3 border-t border-slate-100 pt-4 text-sm" data-testid="triage-form" noValidate>
      <label className="block text-xs font-medium text-slate-700">
        Status
        <select name="status" defaultValue="" className={select}>
          <option value="">Keep</option>
          <option value="Active">Active</option>
          <option value="InProgress">In progress</option>
          <option value="Resolved">Resolved</option>
        </select>
      </label>
      <label className="block text-xs font-medium text-slate-700">
        Assignment
        <select name="assign" defaultValue="keep" className={select}>
          <option value="keep">Keep</option>
          <option value="me">Assign to me</option>
          <option value="unassign">Unassign</option>
        </select>
      </label>
      <label className="block text-xs font-medium text-slate-700">
        Classification
        <select name="classification" defaultValue="" className={select} aria-describedby="classification-error">
          <option value="">Keep</option>
          {Object.keys(DETERMINATIONS).map((c) => (
            <option key={c} value={c}>
              {classificationLabel(c)}
            </option>
          ))}
        </select>
        <FieldError id="classification-error" message={errors.classification} />
      </label>
      <label className="block text-xs font-medium text-slate-700">
        Determination
        <select name="determination" defaultValue="" className={select} aria-describedby="determination-error">
          <option value="">Keep</option>
          {Object.entries(DETERMINATIONS).map(([c, ds]) => (
            <optgroup key={c} label={classificationLabel(c)}>
              {ds.map((d) => (
                <option key={`${c}-${d}`} value={d}>
                  {determinationLabel(d)}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <FieldError id="determination-error" message={errors.determination} />
      </label>
      <label className="block text-xs font-medium text-slate-700">
        Comment
        <textarea name="comment" rows={3} maxLength={10_000} className={select} aria-describedby="comment-error" />
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
