import { z } from "zod";
import { defenderCommentSchema, microsoftDateTimeSchema as dateTime, openEnum } from "./common.ts";
import { defenderListSchema } from "./odata.ts";

/**
 * Defender for Endpoint alerts API: `GET /api/alerts` (optionally `$expand=evidence`) and `GET /api/alerts/{id}`.
 * Source: defender-docs `defender-endpoint/api/alerts.md` (property table, single-alert example),
 * `defender-endpoint/api/get-alerts.md` (list examples 1 and 2). Fixtures: mde-*.json.
 */

// ── Documented enum values ─────────────────────────────────────────────────────────────────────────────────

/** alerts.md: Unknown, New, InProgress, Resolved. */
export const MDE_ALERT_STATUSES = ["Unknown", "New", "InProgress", "Resolved"] as const;

/** alerts.md: UnSpecified, Informational, Low, Medium, High. */
export const MDE_SEVERITIES = ["UnSpecified", "Informational", "Low", "Medium", "High"] as const;

/** alerts.md shows display names; the API values are those of update-alert.md / api-update-incidents.md. */
// UNCONFIRMED: "Unknown" is not listed for MDE alerts (it is for XDR incidents); kept for symmetry.
export const MDE_CLASSIFICATIONS = ["Unknown", "TruePositive", "InformationalExpectedActivity", "FalsePositive"] as const;

/** alerts.md (API names in parentheses there); Apt and SecurityPersonnel deprecated around 2022-08-29. */
export const MDE_DETERMINATIONS = [
  "MultiStagedAttack",
  "MaliciousUserActivity",
  "CompromisedUser",
  "Malware",
  "Phishing",
  "UnwantedSoftware",
  "Other",
  "SecurityTesting",
  "LineOfBusinessApplication",
  "ConfirmedUserActivity",
  "Clean",
  "InsufficientData",
  "NotAvailable",
  "Apt",
  "SecurityPersonnel",
] as const;

/** alerts.md `investigationState`. */
export const MDE_INVESTIGATION_STATES = [
  "Unknown",
  "Terminated",
  "SuccessfullyRemediated",
  "Benign",
  "Failed",
  "PartiallyRemediated",
  "Running",
  "PendingApproval",
  "PendingResource",
  "PartiallyInvestigated",
  "TerminatedByUser",
  "TerminatedBySystem",
  "Queued",
  "InnerFailure",
  "PreexistingAlert",
  "UnsupportedOs",
  "UnsupportedAlertType",
  "SuppressedAlert",
] as const;

/** Evidence `entityType` values seen in the docs' examples (User, Process, File); the rest follow the XDR entity list. */
// UNCONFIRMED: the full MDE evidence entityType list is not documented.
export const MDE_EVIDENCE_TYPES = ["User", "Process", "File", "Ip", "Url", "Registry", "MailBox", "MailMessage", "MailCluster"] as const;

/** Evidence `detectionStatus` values seen in the docs (`Detected`); the others mirror Graph's detectionStatus. */
// UNCONFIRMED: only "Detected" and null appear in the docs.
export const MDE_DETECTION_STATUSES = ["Detected", "Blocked", "Prevented"] as const;

// ── Schemas ───────────────────────────────────────────────────────────────────────────────────────────────

/** One `evidence[]` item (only with `$expand=evidence` or on the single-alert endpoint). Flat, nulls for unused fields. */
export const mdeEvidenceSchema = z.object({
  entityType: openEnum(MDE_EVIDENCE_TYPES),
  evidenceCreationTime: dateTime.optional(),
  sha1: z.string().nullable().optional(),
  sha256: z.string().nullable().optional(),
  fileName: z.string().nullable().optional(),
  filePath: z.string().nullable().optional(),
  processId: z.number().int().nullable().optional(),
  processCommandLine: z.string().nullable().optional(),
  processCreationTime: dateTime.nullable().optional(),
  parentProcessId: z.number().int().nullable().optional(),
  parentProcessCreationTime: dateTime.nullable().optional(),
  parentProcessFileName: z.string().nullable().optional(),
  parentProcessFilePath: z.string().nullable().optional(),
  ipAddress: z.string().nullable().optional(),
  url: z.string().nullable().optional(),
  registryKey: z.string().nullable().optional(),
  registryHive: z.string().nullable().optional(),
  registryValueType: z.string().nullable().optional(),
  registryValue: z.string().nullable().optional(),
  accountName: z.string().nullable().optional(),
  domainName: z.string().nullable().optional(),
  userSid: z.string().nullable().optional(),
  aadUserId: z.string().nullable().optional(),
  userPrincipalName: z.string().nullable().optional(),
  detectionStatus: openEnum(MDE_DETECTION_STATUSES).nullable().optional(),
});
export type MdeEvidence = z.infer<typeof mdeEvidenceSchema>;

/** alerts.md lists `relatedUser` as String but every example sends `{userName, domainName}`. */
// UNCONFIRMED: null when the alert has no user (not shown in the docs).
export const mdeRelatedUserSchema = z.object({
  userName: z.string().optional(),
  domainName: z.string().optional(),
});
export type MdeRelatedUser = z.infer<typeof mdeRelatedUserSchema>;

export const mdeAlertCommentSchema = defenderCommentSchema;
export type MdeAlertComment = z.infer<typeof mdeAlertCommentSchema>;

/** One MDE alert (list item or `GET /api/alerts/{id}`). */
export const mdeAlertSchema = z.object({
  id: z.string(),
  incidentId: z.number().int().nullable().optional(), // "Nullable Long"
  investigationId: z.number().int().nullable().optional(), // "Nullable Long"
  investigationState: openEnum(MDE_INVESTIGATION_STATES).nullable().optional(), // "Nullable Enum"
  assignedTo: z.string().nullable().optional(),
  severity: openEnum(MDE_SEVERITIES).optional(),
  status: openEnum(MDE_ALERT_STATUSES).optional(),
  classification: openEnum(MDE_CLASSIFICATIONS).nullable().optional(),
  determination: openEnum(MDE_DETERMINATIONS).nullable().optional(),
  detectionSource: z.string().optional(),
  detectorId: z.string().optional(),
  category: z.string().optional(),
  threatFamilyName: z.string().nullable().optional(),
  threatName: z.string().nullable().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  // All five times are "Nullable DateTimeOffset" in alerts.md.
  alertCreationTime: dateTime.nullable().optional(),
  firstEventTime: dateTime.nullable().optional(),
  lastEventTime: dateTime.nullable().optional(),
  // The sync cursor (`$filter=lastUpdateTime ge ...`); nullable per the docs, so callers fall back to alertCreationTime.
  lastUpdateTime: dateTime.nullable().optional(),
  resolvedTime: dateTime.nullable().optional(),
  machineId: z.string().optional(),
  computerDnsName: z.string().optional(),
  rbacGroupName: z.string().optional(),
  aadTenantId: z.string().optional(),
  mitreTechniques: z.array(z.string()).optional(),
  relatedUser: mdeRelatedUserSchema.nullable().optional(),
  comments: z.array(mdeAlertCommentSchema).optional(),
  evidence: z.array(mdeEvidenceSchema).optional(),
});
export type MdeAlert = z.infer<typeof mdeAlertSchema>;

/** `GET /api/alerts` envelope. */
export const mdeAlertListSchema = defenderListSchema(mdeAlertSchema);
export type MdeAlertList = z.infer<typeof mdeAlertListSchema>;
