/** The form the queue's row checkboxes belong to (they sit in the table, the form above it). */
export const BULK_FORM_ID = "bulk";

/**
 * The row checkboxes, found by the form they name rather than by a test id on each (50 rows a page: issue #12 §1).
 * The bulk form's own inputs sit inside it and carry no `form` attribute.
 */
export const ROW_SELECT = `input[form="${BULK_FORM_ID}"]`;

/** The queue's rows: those with a checkbox (the "no incidents match" row has none). */
export const INCIDENT_ROWS = `.incident-table tbody tr:has(${ROW_SELECT})`;
