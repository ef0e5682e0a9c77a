import { z } from "zod";

/**
 * The triage fields one incident update sends to Microsoft, shared by single triage (lib/data/triage.ts), bulk
 * triage (lib/validations/bulk.ts) and their forms. Pure: no database, no Microsoft.
 */

/** api-update-incidents.md: determination values per classification, in the spelling the update API takes. */
export const TRIAGE_DETERMINATIONS = {
  TruePositive: ["MultiStagedAttack", "MaliciousUserActivity", "CompromisedAccount", "Malware", "Phishing", "UnwantedSoftware", "Other"],
  InformationalExpectedActivity: ["SecurityTesting", "LineOfBusinessApplication", "ConfirmedActivity", "Other"],
  FalsePositive: ["Clean", "NoEnoughDataToValidate", "Other"],
} as const;
export type TriageClassification = keyof typeof TRIAGE_DETERMINATIONS;
export const TRIAGE_CLASSIFICATIONS = Object.keys(TRIAGE_DETERMINATIONS) as [TriageClassification, ...TriageClassification[]];
export const TRIAGE_STATUSES = ["Active", "InProgress", "Resolved"] as const;

export const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);

/** Status, assignment, classification + determination and comment as the forms post them (blank = keep). */
export const triageFields = {
  status: z.preprocess(blankToUndefined, z.enum(TRIAGE_STATUSES, { message: "Choose a status." }).optional()),
  assign: z.preprocess(blankToUndefined, z.enum(["keep", "me", "unassign"]).default("keep")),
  classification: z.preprocess(blankToUndefined, z.enum(TRIAGE_CLASSIFICATIONS, { message: "Choose a classification." }).optional()),
  determination: z.preprocess(blankToUndefined, z.string().max(60).optional()),
  comment: z.preprocess(blankToUndefined, z.string().trim().max(10_000, "Keep comments under 10,000 characters.").optional()),
};

/** A determination must belong to the classification sent with it. */
export function checkDetermination(v: { classification?: TriageClassification; determination?: string }, ctx: z.RefinementCtx): void {
  if (v.determination === undefined) return;
  const allowed: readonly string[] = v.classification ? TRIAGE_DETERMINATIONS[v.classification] : [];
  if (!allowed.includes(v.determination)) {
    ctx.addIssue({
      code: "custom",
      path: ["determination"],
      message: v.classification ? `Not a determination for ${v.classification}.` : "Choose a classification first.",
    });
  }
}
