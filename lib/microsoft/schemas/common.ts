import { z } from "zod";

/**
 * Building blocks shared by every Microsoft payload schema.
 *
 * Policy (applies to every file in this folder):
 * - Objects are `z.object` (unknown keys are stripped, never rejected) unless a schema says it keeps raw fields.
 * - A field is `.nullable()` where the docs show or describe null; elsewhere a null fails, so we learn about it.
 * - Fields other than identifiers and sync cursors are `.optional()`: every example in the docs is marked
 *   "may be shortened for readability", so absence is not evidence of a broken payload.
 * - Enums are open (see `openEnum`): Microsoft documents "evolvable enums" and adds members without notice.
 * - Numbers stay numbers: a numeric string where the docs show a JSON number fails.
 */

/**
 * An ISO 8601 date-time as Microsoft writes it, checked loosely and kept as the original string:
 * `2020-09-06T14:46:57.0733333Z` (7-digit .NET ticks), `2020-09-06T14:46:57.29Z`, `2020-09-04T05:22:59Z`,
 * `...+00:00`. The seconds and the zone are optional.
 */
// UNCONFIRMED: whether any Defender API omits the zone designator; accepted (and read as UTC by `microsoftDateToDate`).
const MICROSOFT_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

export const microsoftDateTimeSchema = z.string().regex(MICROSOFT_DATE_TIME, { error: "expected ISO 8601 date-time" });
export type MicrosoftDateTime = z.infer<typeof microsoftDateTimeSchema>;

/** Converts a value accepted by `microsoftDateTimeSchema` to a Date (no zone means UTC). Null when unparseable. */
export function microsoftDateToDate(value: string): Date | null {
  const withZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  // JavaScript's Date understands at most 3 fraction digits; .NET sends 7.
  const trimmed = withZone.replace(/(\.\d{3})\d+/, "$1");
  const ms = Date.parse(trimmed);
  return Number.isFinite(ms) ? new Date(ms) : null;
}

/**
 * A string enum that keeps values it does not know. The documented values are for the UI (labels, filters);
 * parsing never fails on a new member, because Microsoft adds them (Graph calls these "evolvable enums").
 * The inferred type still offers the documented values to autocomplete.
 */
export function openEnum<const T extends readonly string[]>(_documented: T) {
  return z.string() as unknown as z.ZodType<T[number] | (string & {}), string>;
}

/** True when `value` is one of the documented members (for UI: show a label, or show the raw value as-is). */
export function isDocumentedValue<const T extends readonly string[]>(documented: T, value: string): value is T[number] {
  return (documented as readonly string[]).includes(value);
}

/** Analyst comment shape shared by Defender XDR incidents and MDE alerts: `{comment, createdBy, createdTime}`. */
export const defenderCommentSchema = z.object({
  comment: z.string(),
  createdBy: z.string().optional(),
  createdTime: microsoftDateTimeSchema.optional(),
});
export type DefenderComment = z.infer<typeof defenderCommentSchema>;
