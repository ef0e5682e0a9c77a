import { z } from "zod";
import { blankToUndefined, checkDetermination, TRIAGE_CLASSIFICATIONS, TRIAGE_STATUSES, triageFields } from "./triage.ts";

/**
 * Bulk triage input, shared by the form (labels, limits) and the server (parsing). Pure: no database, no Microsoft.
 */

/** The most incidents one bulk job may hold ("all N matching this filter" beyond it is refused, not cut). */
export const BULK_LIMIT = 500;

// Defender's tag limits are not documented; the store cuts tags at 200 characters (lib/shared/caps.ts).
const TAG_RE = /^[^\u0000-\u001f\u007f,]{1,200}$/;

/** The form's fields → the change. Tags are comma separated and only ever added. */
export const bulkChangeInput = z
  .object({
    ...triageFields,
    tags: z.preprocess(
      blankToUndefined,
      z
        .string()
        .max(2_000, "Keep tags under 2,000 characters in all.")
        .transform((s) => [
          ...new Set(
            s
              .split(",")
              .map((t) => t.trim())
              .filter(Boolean),
          ),
        ])
        .pipe(z.array(z.string().regex(TAG_RE, "A tag is 1–200 characters, without control characters.")).max(20, "At most 20 tags at a time."))
        .optional(),
    ),
  })
  .superRefine((v, ctx) => {
    checkDetermination(v, ctx);
    if (v.status === undefined && v.assign === "keep" && v.classification === undefined && !v.tags?.length && !v.comment) {
      ctx.addIssue({ code: "custom", path: ["form"], message: "Nothing to change: pick a status, an assignment, a classification, tags or a comment." });
    }
  });

/** What a job applies, as stored on the job (the analyst's address already resolved for "assign to me"). */
export const bulkChangeSchema = z.object({
  status: z.enum(TRIAGE_STATUSES).optional(),
  /** null = unassign; absent = keep. */
  assignedTo: z.string().max(320).nullable().optional(),
  classification: z.enum(TRIAGE_CLASSIFICATIONS).optional(),
  determination: z.string().max(60).optional(),
  addTags: z.array(z.string().max(200)).max(20).optional(),
  comment: z.string().max(10_000).optional(),
});
export type BulkChange = z.infer<typeof bulkChangeSchema>;

/** How the rows were chosen: ids picked on the page, or the queue's filter (its query string). */
export const bulkSelectionInput = z.discriminatedUnion("selection", [
  z.object({
    selection: z.literal("ids"),
    ids: z
      .array(z.string().regex(/^[0-9a-f-]{36}$/i, "Not an incident id."))
      .min(1, "Select at least one incident.")
      .max(BULK_LIMIT, `At most ${BULK_LIMIT} incidents per job.`),
  }),
  z.object({ selection: z.literal("filter"), filter: z.string().max(4_000) }),
]);

export const BULK_STATUS_LABELS: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  finished: "Finished",
  done: "Done",
  skipped: "Skipped",
  failed: "Failed",
};

/** The change in plain words, for the job page and the list. */
export function describeChange(c: BulkChange): string[] {
  const out: string[] = [];
  if (c.status) out.push(`Status → ${c.status === "InProgress" ? "In progress" : c.status}`);
  if (c.assignedTo !== undefined) out.push(c.assignedTo === null ? "Unassign" : `Assign to ${c.assignedTo}`);
  if (c.classification) out.push(`Classification → ${c.classification}${c.determination ? ` (${c.determination})` : ""}`);
  if (c.addTags?.length) out.push(`Add tags: ${c.addTags.join(", ")}`);
  if (c.comment) out.push(`Comment (${c.comment.length} characters)`);
  return out;
}
