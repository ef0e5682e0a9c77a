/**
 * The one result type every server action and data-layer write returns. Expected failures come back as data
 * (formbricks' action client): a message for the form, one per field where a field is to blame. An action never
 * drops it; the component shows it next to the control that caused it.
 */
export type Result<T = undefined> =
  | ({ ok: true; message?: string } & (T extends undefined ? object : { value: T }))
  | { ok: false; fieldErrors: Partial<Record<string, string>>; formError?: string; code?: string };

/** A failure not tied to one field. */
export function failure(formError: string, code?: string): { ok: false; fieldErrors: Partial<Record<string, string>>; formError: string; code?: string } {
  return { ok: false, fieldErrors: {}, formError, ...(code ? { code } : {}) };
}
