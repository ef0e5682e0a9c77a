import { canonicalClassification, canonicalDetermination, label } from "@/lib/shared/canonical";
import { TRIAGE_DETERMINATIONS } from "@/lib/validations/triage";
import { FieldError } from "../ui/primitives";

// Microsoft takes the XDR spelling (api-update-incidents.md); people see the one label of the canonical value.
const classificationLabel = (v: string) => label(canonicalClassification(v));
const determinationLabel = (v: string) => label(canonicalDetermination(v));
export const triageFieldClass = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";

/**
 * Status, assignment, classification and determination selects (blank = keep), shared by the incident's triage form
 * and bulk triage. `idPrefix` keeps error ids unique on a page; `testIdPrefix` names the status and assignment selects.
 */
export function TriageFields({
  errors,
  idPrefix = "",
  testIdPrefix,
}: {
  errors: Record<string, string | undefined>;
  idPrefix?: string;
  testIdPrefix?: string;
}) {
  const testId = (name: string) => (testIdPrefix ? `${testIdPrefix}-${name}` : undefined);
  return (
    <>
      <label className="block text-xs font-medium text-slate-700">
        Status
        <select name="status" defaultValue="" className={triageFieldClass} data-testid={testId("status")}>
          <option value="">Keep</option>
          <option value="Active">Active</option>
          <option value="InProgress">In progress</option>
          <option value="Resolved">Resolved</option>
        </select>
      </label>
      <label className="block text-xs font-medium text-slate-700">
        Assignment
        <select name="assign" defaultValue="keep" className={triageFieldClass} data-testid={testId("assign")}>
          <option value="keep">Keep</option>
          <option value="me">Assign to me</option>
          <option value="unassign">Unassign</option>
        </select>
      </label>
      <label className="block text-xs font-medium text-slate-700">
        Classification
        <select name="classification" defaultValue="" className={triageFieldClass} aria-describedby={`${idPrefix}classification-error`}>
          <option value="">Keep</option>
          {Object.keys(TRIAGE_DETERMINATIONS).map((c) => (
            <option key={c} value={c}>
              {classificationLabel(c)}
            </option>
          ))}
        </select>
        <FieldError id={`${idPrefix}classification-error`} message={errors.classification} />
      </label>
      <label className="block text-xs font-medium text-slate-700">
        Determination
        <select name="determination" defaultValue="" className={triageFieldClass} aria-describedby={`${idPrefix}determination-error`}>
          <option value="">Keep</option>
          {Object.entries(TRIAGE_DETERMINATIONS).map(([c, ds]) => (
            <optgroup key={c} label={classificationLabel(c)}>
              {ds.map((d) => (
                <option key={`${c}-${d}`} value={d}>
                  {determinationLabel(d)}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <FieldError id={`${idPrefix}determination-error`} message={errors.determination} />
      </label>
    </>
  );
}
