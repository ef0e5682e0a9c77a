/** The form the queue's row checkboxes belong to (they sit in the table, the form above it). */
export const BULK_FORM_ID = "bulk-triage-form";

/** One row's checkbox: a plain input of the bulk form, so picking rows needs no script beyond the count. */
export function RowSelect({ id, label }: { id: string; label: string }) {
  return (
    <input
      type="checkbox"
      name="ids"
      value={id}
      form={BULK_FORM_ID}
      data-testid="row-select"
      aria-label={`Select ${label}`}
      className="h-4 w-4 rounded border-slate-300"
    />
  );
}
