/** The form the queue's row checkboxes belong to (they sit in the table, the form above it). */
export const BULK_FORM_ID = "bulk";
