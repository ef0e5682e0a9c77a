import { z } from "zod";
import { defenderCommentSchema, microsoftDateTimeSchema as dateTime, openEnum } from "./common.ts";
import { defenderListSchema } from "./odata.ts";

/**
 * Defender XDR incidents API: `GET https://api.security.microsoft.com/api/incidents` and `/api/incidents/{id}`.
 * Source: defender-docs `defender-xdr/api-list-incidents.md` (schema mapping tables and response example),
 * `defender-xdr/api-update-incidents.md` (PATCH values). Fixture: tests/fixtures/microsoft/defender-xdr-list-incidents.json.
 */

// ── Documented enum values (for UI; parsing keeps any other value) ─────────────────────────────────────────

/** api-update-incidents.md: Active, Resolved, InProgress, Redirected (api-list-incidents.md names only Active, Resolved). */
export const XDR_INCIDENT_STATUSES = ["Active", "InProgress", "Resolved", "Redirected"] as const;

/** api-list-incidents.md lists Informational..High; `UnSpecified` comes from the MDE alert docs (same service). */
export const XDR_SEVERITIES = ["UnSpecified", "Informational", "Low", "Medium", "High"] as const;

/**
 * Read side (api-list-incidents.md): Unknown, FalsePositive, TruePositive.
 * Write side (api-update-incidents.md) adds InformationalExpectedActivity.
 */
export const XDR_CLASSIFICATIONS = ["Unknown", "FalsePositive", "TruePositive", "InformationalExpectedActivity"] as const;

/**
 * Read side (api-list-incidents.md): NotAvailable, Apt, Malware, SecurityPersonnel, SecurityTesting, UnwantedSoftware, Other.
 * Write side (api-update-incidents.md): MultiStagedAttack, MaliciousUserActivity, CompromisedAccount, Malware, Phishing,
 * UnwantedSoftware, Other, SecurityTesting, LineOfBusinessApplication, ConfirmedActivity, Clean, NoEnoughDataToValidate.
 * Apt and SecurityPersonnel were deprecated around 2022-08-29 but old incidents may still carry them.
 */
// UNCONFIRMED: which spelling the read API returns for the newer values (the MDE alert page spells them
// CompromisedUser / ConfirmedUserActivity / InsufficientData); both spellings are listed.
export const XDR_DETERMINATIONS = [
  "NotAvailable",
  "Apt",
  "Malware",
  "SecurityPersonnel",
  "SecurityTesting",
  "UnwantedSoftware",
  "Other",
  "MultiStagedAttack",
  "MaliciousUserActivity",
  "CompromisedAccount",
  "CompromisedUser",
  "Phishing",
  "LineOfBusinessApplication",
  "ConfirmedActivity",
  "ConfirmedUserActivity",
  "Clean",
  "NoEnoughDataToValidate",
  "InsufficientData",
] as const;

/** api-list-incidents.md says New, Active, Resolved; the response example shows InProgress. */
export const XDR_ALERT_STATUSES = ["New", "InProgress", "Active", "Resolved"] as const;

/** api-list-incidents.md, alert `investigationState`. */
export const XDR_INVESTIGATION_STATES = [
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

/** api-list-incidents.md entity table (SecurityGroup appears in the field rows, not in the entityType list). */
export const XDR_ENTITY_TYPES = ["User", "Ip", "Url", "File", "Process", "MailBox", "MailMessage", "MailCluster", "Registry", "SecurityGroup"] as const;

// ── Schemas ───────────────────────────────────────────────────────────────────────────────────────────────

/** An analyst comment on an incident: `{comment, createdBy, createdTime}`. */
export const xdrCommentSchema = defenderCommentSchema;
export type XdrComment = z.infer<typeof xdrCommentSchema>;

/**
 * A device in `alerts[].devices[]`. The field table calls the MDE id `DeviceId`; the example sends `mdatpDeviceId`.
 * Both are accepted.
 */
export const xdrDeviceSchema = z.object({
  mdatpDeviceId: z.string().optional(),
  // UNCONFIRMED: `DeviceId` appears only in the field table, never in an example payload.
  DeviceId: z.string().optional(),
  aadDeviceId: z.string().nullable().optional(),
  deviceDnsName: z.string().optional(),
  osPlatform: z.string().optional(),
  version: z.string().optional(),
  osProcessor: z.string().optional(),
  osBuild: z.number().int().optional(),
  // UNCONFIRMED: the docs show only "Active" and "High"; the other values are the MDE machine resource's, assumed shared.
  healthStatus: openEnum(["Active", "Inactive", "ImpairedCommunication", "NoSensorData", "NoSensorDataImpairedCommunication", "Unknown"]).optional(),
  riskScore: openEnum(["None", "Informational", "Low", "Medium", "High"]).optional(),
  rbacGroupName: z.string().optional(),
  rbacGroupId: z.number().int().optional(),
  firstSeen: dateTime.optional(),
});
export type XdrDevice = z.infer<typeof xdrDeviceSchema>;

/**
 * An entity in `alerts[].entities[]`: one flat object per entity; fields that do not apply to its `entityType`
 * are null (all of them are null in the docs' example at least once).
 */
export const xdrEntitySchema = z.object({
  entityType: openEnum(XDR_ENTITY_TYPES),
  sha1: z.string().nullable().optional(),
  sha256: z.string().nullable().optional(),
  fileName: z.string().nullable().optional(),
  filePath: z.string().nullable().optional(),
  processId: z.number().int().nullable().optional(),
  processCommandLine: z.string().nullable().optional(),
  processCreationTime: dateTime.nullable().optional(),
  parentProcessId: z.number().int().nullable().optional(),
  parentProcessCreationTime: dateTime.nullable().optional(),
  ipAddress: z.string().nullable().optional(),
  url: z.string().nullable().optional(),
  accountName: z.string().nullable().optional(),
  domainName: z.string().nullable().optional(),
  userSid: z.string().nullable().optional(),
  aadUserId: z.string().nullable().optional(),
  userPrincipalName: z.string().nullable().optional(),
  mailboxDisplayName: z.string().nullable().optional(),
  mailboxAddress: z.string().nullable().optional(),
  clusterBy: z.string().nullable().optional(),
  sender: z.string().nullable().optional(),
  recipient: z.string().nullable().optional(),
  subject: z.string().nullable().optional(),
  deliveryAction: z.string().nullable().optional(),
  securityGroupId: z.string().nullable().optional(),
  securityGroupName: z.string().nullable().optional(),
  registryHive: z.string().nullable().optional(),
  registryKey: z.string().nullable().optional(),
  registryValueType: z.string().nullable().optional(),
  registryValue: z.string().nullable().optional(),
  deviceId: z.string().nullable().optional(),
});
export type XdrEntity = z.infer<typeof xdrEntitySchema>;

/** An alert inside an incident (`incident.alerts[]`). */
export const xdrIncidentAlertSchema = z.object({
  alertId: z.string(),
  incidentId: z.number().int().optional(),
  serviceSource: z.string().optional(),
  creationTime: dateTime.optional(),
  lastUpdatedTime: dateTime.optional(),
  resolvedTime: dateTime.nullable().optional(),
  firstActivity: dateTime.optional(),
  lastActivity: dateTime.optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  category: z.string().optional(),
  status: openEnum(XDR_ALERT_STATUSES).optional(),
  severity: openEnum(XDR_SEVERITIES).optional(),
  investigationId: z.number().int().nullable().optional(),
  investigationState: openEnum(XDR_INVESTIGATION_STATES).optional(),
  classification: openEnum(XDR_CLASSIFICATIONS).nullable().optional(),
  determination: openEnum(XDR_DETERMINATIONS).nullable().optional(),
  detectionSource: z.string().optional(),
  assignedTo: z.string().nullable().optional(),
  actorName: z.string().nullable().optional(),
  threatFamilyName: z.string().nullable().optional(),
  mitreTechniques: z.array(z.string()).optional(),
  devices: z.array(xdrDeviceSchema).optional(),
  entities: z.array(xdrEntitySchema).optional(),
});
export type XdrIncidentAlert = z.infer<typeof xdrIncidentAlertSchema>;

/** One incident (list item, or the body of `GET /api/incidents/{id}` and of a successful PATCH). */
export const xdrIncidentSchema = z.object({
  incidentId: z.number().int(),
  redirectIncidentId: z.number().int().nullable().optional(),
  incidentName: z.string().optional(),
  createdTime: dateTime,
  // The sync cursor: `$filter=lastUpdateTime ge ...` (api-list-incidents.md).
  lastUpdateTime: dateTime,
  assignedTo: z.string().nullable().optional(),
  classification: openEnum(XDR_CLASSIFICATIONS).optional(),
  determination: openEnum(XDR_DETERMINATIONS).optional(),
  // UNCONFIRMED: `detectionSource` is in the incident field table but not in the example payload.
  detectionSource: z.string().optional(),
  status: openEnum(XDR_INCIDENT_STATUSES).optional(),
  severity: openEnum(XDR_SEVERITIES).optional(),
  tags: z.array(z.string()).optional(),
  comments: z.array(xdrCommentSchema).optional(),
  alerts: z.array(xdrIncidentAlertSchema).optional(),
});
export type XdrIncident = z.infer<typeof xdrIncidentSchema>;

/** `GET /api/incidents` envelope. */
export const xdrIncidentListSchema = defenderListSchema(xdrIncidentSchema);
export type XdrIncidentList = z.infer<typeof xdrIncidentListSchema>;
