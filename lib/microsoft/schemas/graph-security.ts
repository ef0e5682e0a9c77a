import { z } from "zod";
import { microsoftDateTimeSchema as dateTime, openEnum } from "./common.ts";
import { graphListSchema } from "./odata.ts";

/**
 * Microsoft Graph security API v1.0: `/security/incidents` (optionally `$expand=alerts`) and `/security/alerts_v2`.
 * Source: microsoft-graph-docs-contrib `api-reference/v1.0/resources/security-incident.md`, `security-alert.md`,
 * `security-alertevidence.md` and the evidence resource pages; examples from `api/security-list-incidents.md`,
 * `security-incident-get.md`, `security-list-alerts_v2.md`, `security-alert-get.md`. Fixtures: graph-*.json.
 *
 * Graph enum values are documented camelCase (`truePositive`, `active`), but the docs' own examples also show
 * PascalCase (`TruePositive`, `Active`): enums are open, so both parse; lib/shared/canonical.ts folds them (and the
 * determination synonyms below) into one canonical value at ingest.
 */

// ── Documented enum values ─────────────────────────────────────────────────────────────────────────────────

/** security-incident.md incidentStatus (awaitingAction needs `Prefer: include-unknown-enum-members`). */
export const GRAPH_INCIDENT_STATUSES = ["active", "resolved", "inProgress", "redirected", "unknownFutureValue", "awaitingAction"] as const;

/** security-alert.md alertStatus. */
export const GRAPH_ALERT_STATUSES = ["unknown", "new", "inProgress", "resolved", "unknownFutureValue"] as const;

/** security-alert.md alertSeverity (shared by incidents). */
export const GRAPH_SEVERITIES = ["unknown", "informational", "low", "medium", "high", "unknownFutureValue"] as const;

/** security-alert.md alertClassification (shared by incidents). */
export const GRAPH_CLASSIFICATIONS = ["unknown", "falsePositive", "truePositive", "informationalExpectedActivity", "unknownFutureValue"] as const;

/**
 * alertDetermination. The property rows of security-incident.md / security-alert.md list compromisedUser, clean,
 * insufficientData, confirmedUserActivity; the values table of security-alert.md lists compromisedAccount,
 * notMalicious, notEnoughDataToValidate, confirmedActivity. Both spellings are kept.
 */
// UNCONFIRMED: which spelling the service actually returns.
export const GRAPH_DETERMINATIONS = [
  "unknown",
  "apt",
  "malware",
  "securityPersonnel",
  "securityTesting",
  "unwantedSoftware",
  "other",
  "multiStagedAttack",
  "compromisedUser",
  "compromisedAccount",
  "phishing",
  "maliciousUserActivity",
  "clean",
  "notMalicious",
  "insufficientData",
  "notEnoughDataToValidate",
  "confirmedUserActivity",
  "confirmedActivity",
  "lineOfBusinessApplication",
  "unknownFutureValue",
] as const;

/** security-alert.md serviceSource. */
export const GRAPH_SERVICE_SOURCES = [
  "unknown",
  "microsoftDefenderForEndpoint",
  "microsoftDefenderForIdentity",
  "microsoftDefenderForCloudApps",
  "microsoftDefenderForOffice365",
  "microsoft365Defender",
  "azureAdIdentityProtection",
  "microsoftAppGovernance",
  "dataLossPrevention",
  "unknownFutureValue",
  "microsoftDefenderForCloud",
] as const;

/** security-alert.md detectionSource. */
export const GRAPH_DETECTION_SOURCES = [
  "unknown",
  "microsoftDefenderForEndpoint",
  "antivirus",
  "smartScreen",
  "customTi",
  "microsoftDefenderForOffice365",
  "automatedInvestigation",
  "microsoftThreatExperts",
  "customDetection",
  "microsoftDefenderForIdentity",
  "cloudAppSecurity",
  "microsoft365Defender",
  "azureAdIdentityProtection",
  "manual",
  "microsoftDataLossPrevention",
  "appGovernancePolicy",
  "appGovernanceDetection",
  "unknownFutureValue",
  "microsoftDefenderForCloud",
  "microsoftDefenderForIoT",
  "microsoftDefenderForServers",
  "microsoftDefenderForStorage",
  "microsoftDefenderForDNS",
  "microsoftDefenderForDatabases",
  "microsoftDefenderForContainers",
  "microsoftDefenderForNetwork",
  "microsoftDefenderForAppService",
  "microsoftDefenderForKeyVault",
  "microsoftDefenderForResourceManager",
  "microsoftDefenderForApiManagement",
] as const;

/** security-alertevidence.md evidenceVerdict. */
export const GRAPH_EVIDENCE_VERDICTS = ["unknown", "suspicious", "malicious", "noThreatsFound", "unknownFutureValue"] as const;

/** security-alertevidence.md evidenceRemediationStatus. */
export const GRAPH_EVIDENCE_REMEDIATION_STATUSES = ["none", "remediated", "prevented", "blocked", "notFound", "unknownFutureValue"] as const;

/** security-alertevidence.md evidenceRole. */
export const GRAPH_EVIDENCE_ROLES = [
  "unknown",
  "contextual",
  "scanned",
  "source",
  "destination",
  "created",
  "added",
  "compromised",
  "edited",
  "attacked",
  "attacker",
  "commandAndControl",
  "loaded",
  "suspicious",
  "policyViolator",
  "unknownFutureValue",
] as const;

/** security-fileevidence.md / security-processevidence.md detectionStatus. */
export const GRAPH_DETECTION_STATUSES = ["detected", "blocked", "prevented", "unknownFutureValue"] as const;

/** security-deviceevidence.md. */
export const GRAPH_DEVICE_HEALTH_STATUSES = [
  "active",
  "inactive",
  "impairedCommunication",
  "noSensorData",
  "noSensorDataImpairedCommunication",
  "unknown",
  "unknownFutureValue",
] as const;
export const GRAPH_DEVICE_RISK_SCORES = ["none", "informational", "low", "medium", "high", "unknownFutureValue"] as const;
export const GRAPH_ONBOARDING_STATUSES = ["unknown", "insufficientInfo", "onboarded", "canBeOnboarded", "unsupported", "unknownFutureValue"] as const;
export const GRAPH_DEFENDER_AV_STATUSES = ["notReporting", "disabled", "notUpdated", "updated", "unknown", "notSupported", "unknownFutureValue"] as const;

/** The `@odata.type` of every evidence kind this file types; anything else is kept raw as `kind: "unknown"`. */
export const GRAPH_EVIDENCE_ODATA_TYPES = {
  device: "#microsoft.graph.security.deviceEvidence",
  file: "#microsoft.graph.security.fileEvidence",
  process: "#microsoft.graph.security.processEvidence",
  user: "#microsoft.graph.security.userEvidence",
  ip: "#microsoft.graph.security.ipEvidence",
  url: "#microsoft.graph.security.urlEvidence",
  mailbox: "#microsoft.graph.security.mailboxEvidence",
  registryKey: "#microsoft.graph.security.registryKeyEvidence",
  registryValue: "#microsoft.graph.security.registryValueEvidence",
} as const;
export type GraphEvidenceKind = keyof typeof GRAPH_EVIDENCE_ODATA_TYPES;

// ── Shared pieces ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * alertComment. The resource page documents `{comment, createdByDisplayName, createdDateTime}`; every example
 * (incident list/get) sends `{comment, createdBy, createdTime}`. Both shapes are accepted.
 */
export const graphCommentSchema = z.object({
  comment: z.string(),
  createdByDisplayName: z.string().nullable().optional(),
  createdDateTime: dateTime.nullable().optional(),
  createdBy: z.string().nullable().optional(),
  createdTime: dateTime.nullable().optional(),
});
export type GraphComment = z.infer<typeof graphCommentSchema>;

/** security-filedetails.md; sha1/sha256/signer/issuer are null in the examples. */
export const graphFileDetailsSchema = z.object({
  fileName: z.string().nullable().optional(),
  filePath: z.string().nullable().optional(),
  filePublisher: z.string().nullable().optional(),
  fileSize: z.number().int().nullable().optional(),
  issuer: z.string().nullable().optional(),
  // UNCONFIRMED: md5 is in the property table only; assumed nullable like the other hashes.
  md5: z.string().nullable().optional(),
  sha1: z.string().nullable().optional(),
  sha256: z.string().nullable().optional(),
  signer: z.string().nullable().optional(),
});
export type GraphFileDetails = z.infer<typeof graphFileDetailsSchema>;

/** security-useraccount.md; azureAdUserId/userPrincipalName are null in the examples. */
export const graphUserAccountSchema = z.object({
  accountName: z.string().nullable().optional(),
  azureAdUserId: z.string().nullable().optional(),
  displayName: z.string().nullable().optional(),
  domainName: z.string().nullable().optional(),
  userPrincipalName: z.string().nullable().optional(),
  userSid: z.string().nullable().optional(),
});
export type GraphUserAccount = z.infer<typeof graphUserAccountSchema>;

/** security-loggedonuser.md. */
export const graphLoggedOnUserSchema = z.object({
  accountName: z.string().nullable().optional(),
  domainName: z.string().nullable().optional(),
});

/** security-vmmetadata.md (fields as in the examples). */
export const graphVmMetadataSchema = z.object({
  vmId: z.string().nullable().optional(),
  cloudProvider: z.string().nullable().optional(),
  resourceId: z.string().nullable().optional(),
  subscriptionId: z.string().nullable().optional(),
});

// ── Evidence (polymorphic by @odata.type) ─────────────────────────────────────────────────────────────────

const evidenceBase = {
  "@odata.type": z.string(),
  createdDateTime: dateTime.nullable().optional(),
  verdict: openEnum(GRAPH_EVIDENCE_VERDICTS).optional(),
  remediationStatus: openEnum(GRAPH_EVIDENCE_REMEDIATION_STATUSES).optional(),
  remediationStatusDetails: z.string().nullable().optional(),
  roles: z.array(openEnum(GRAPH_EVIDENCE_ROLES)).optional(),
  detailedRoles: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
};

const deviceEvidence = z.object({
  ...evidenceBase,
  firstSeenDateTime: dateTime.nullable().optional(),
  mdeDeviceId: z.string().nullable().optional(),
  azureAdDeviceId: z.string().nullable().optional(),
  deviceDnsName: z.string().nullable().optional(),
  osPlatform: z.string().nullable().optional(),
  osBuild: z.number().int().nullable().optional(),
  version: z.string().nullable().optional(),
  healthStatus: openEnum(GRAPH_DEVICE_HEALTH_STATUSES).optional(),
  riskScore: openEnum(GRAPH_DEVICE_RISK_SCORES).optional(),
  rbacGroupId: z.number().int().nullable().optional(),
  rbacGroupName: z.string().nullable().optional(),
  onboardingStatus: openEnum(GRAPH_ONBOARDING_STATUSES).optional(),
  defenderAvStatus: openEnum(GRAPH_DEFENDER_AV_STATUSES).optional(),
  ipInterfaces: z.array(z.string()).optional(),
  loggedOnUsers: z.array(graphLoggedOnUserSchema).optional(),
  // UNCONFIRMED: null for a physical machine is not shown in the docs; accepted.
  vmMetadata: graphVmMetadataSchema.nullable().optional(),
});

const fileEvidence = z.object({
  ...evidenceBase,
  detectionStatus: openEnum(GRAPH_DETECTION_STATUSES).optional(),
  mdeDeviceId: z.string().nullable().optional(),
  fileDetails: graphFileDetailsSchema.optional(),
});

const processEvidence = z.object({
  ...evidenceBase,
  detectionStatus: openEnum(GRAPH_DETECTION_STATUSES).optional(),
  mdeDeviceId: z.string().nullable().optional(),
  processId: z.number().int().nullable().optional(),
  parentProcessId: z.number().int().nullable().optional(),
  processCommandLine: z.string().nullable().optional(),
  processCreationDateTime: dateTime.nullable().optional(),
  parentProcessCreationDateTime: dateTime.nullable().optional(),
  imageFile: graphFileDetailsSchema.optional(),
  parentProcessImageFile: graphFileDetailsSchema.optional(),
  userAccount: graphUserAccountSchema.optional(),
});

const userEvidence = z.object({
  ...evidenceBase,
  userAccount: graphUserAccountSchema.optional(),
});

const ipEvidence = z.object({
  ...evidenceBase,
  ipAddress: z.string().nullable().optional(),
  // UNCONFIRMED: null when geolocation is unknown is not shown in the docs; accepted.
  countryLetterCode: z.string().nullable().optional(),
});

const urlEvidence = z.object({
  ...evidenceBase,
  url: z.string().nullable().optional(),
});

const mailboxEvidence = z.object({
  ...evidenceBase,
  displayName: z.string().nullable().optional(),
  primaryAddress: z.string().nullable().optional(),
  upn: z.string().nullable().optional(),
  userAccount: graphUserAccountSchema.optional(),
});

const registryKeyEvidence = z.object({
  ...evidenceBase,
  registryKey: z.string().nullable().optional(),
  registryHive: z.string().nullable().optional(),
});

const registryValueEvidence = z.object({
  ...evidenceBase,
  mdeDeviceId: z.string().nullable().optional(),
  registryHive: z.string().nullable().optional(),
  registryKey: z.string().nullable().optional(),
  registryValue: z.string().nullable().optional(),
  registryValueName: z.string().nullable().optional(),
  registryValueType: z.string().nullable().optional(),
});

const EVIDENCE_SCHEMAS = {
  device: deviceEvidence,
  file: fileEvidence,
  process: processEvidence,
  user: userEvidence,
  ip: ipEvidence,
  url: urlEvidence,
  mailbox: mailboxEvidence,
  registryKey: registryKeyEvidence,
  registryValue: registryValueEvidence,
} as const satisfies Record<GraphEvidenceKind, z.ZodType>;

type Tagged<K extends GraphEvidenceKind> = { kind: K } & z.infer<(typeof EVIDENCE_SCHEMAS)[K]>;
export type GraphDeviceEvidence = Tagged<"device">;
export type GraphFileEvidence = Tagged<"file">;
export type GraphProcessEvidence = Tagged<"process">;
export type GraphUserEvidence = Tagged<"user">;
export type GraphIpEvidence = Tagged<"ip">;
export type GraphUrlEvidence = Tagged<"url">;
export type GraphMailboxEvidence = Tagged<"mailbox">;
export type GraphRegistryKeyEvidence = Tagged<"registryKey">;
export type GraphRegistryValueEvidence = Tagged<"registryValue">;
/** An evidence type this file does not model (analyzedMessageEvidence, cloudApplicationEvidence, ...): every raw field kept. */
export type GraphUnknownEvidence = { kind: "unknown"; "@odata.type": string; [field: string]: unknown };
export type GraphEvidence =
  | GraphDeviceEvidence
  | GraphFileEvidence
  | GraphProcessEvidence
  | GraphUserEvidence
  | GraphIpEvidence
  | GraphUrlEvidence
  | GraphMailboxEvidence
  | GraphRegistryKeyEvidence
  | GraphRegistryValueEvidence
  | GraphUnknownEvidence;

const KIND_BY_ODATA_TYPE = new Map<string, GraphEvidenceKind>(
  (Object.entries(GRAPH_EVIDENCE_ODATA_TYPES) as [GraphEvidenceKind, string][]).map(([kind, type]) => [type, kind]),
);

/**
 * One `alert.evidence[]` item. Dispatches on `@odata.type` to the matching schema and adds `kind` for narrowing.
 * A known type with a wrong-typed field fails (it is not silently demoted to "unknown"); an unknown type is kept
 * with its raw fields.
 */
export const graphEvidenceSchema: z.ZodType<GraphEvidence, unknown> = z.looseObject({ "@odata.type": z.string() }).transform((raw, ctx): GraphEvidence => {
  const kind = KIND_BY_ODATA_TYPE.get(raw["@odata.type"]);
  if (!kind) return { ...raw, kind: "unknown" };
  const result = EVIDENCE_SCHEMAS[kind].safeParse(raw, { reportInput: true });
  if (!result.success) {
    // Paths stay relative to this item; the enclosing array/object prefixes them (evidence[2].processId).
    for (const issue of result.error.issues) ctx.issues.push(issue as (typeof ctx.issues)[number]);
    return z.NEVER;
  }
  return { kind, ...result.data } as GraphEvidence;
});

// ── Alerts and incidents ──────────────────────────────────────────────────────────────────────────────────

/** security-alert.md. One alert (`/security/alerts_v2` item, `/security/alerts_v2/{id}`, or `incident.alerts[]`). */
export const graphAlertSchema = z.object({
  "@odata.type": z.string().nullable().optional(),
  id: z.string(),
  providerAlertId: z.string().nullable().optional(),
  incidentId: z.string().nullable().optional(),
  status: openEnum(GRAPH_ALERT_STATUSES).optional(),
  severity: openEnum(GRAPH_SEVERITIES).optional(),
  classification: openEnum(GRAPH_CLASSIFICATIONS).optional(),
  determination: openEnum(GRAPH_DETERMINATIONS).optional(),
  serviceSource: openEnum(GRAPH_SERVICE_SOURCES).optional(),
  detectionSource: openEnum(GRAPH_DETECTION_SOURCES).optional(),
  detectorId: z.string().nullable().optional(),
  tenantId: z.string().nullable().optional(),
  title: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  recommendedActions: z.string().nullable().optional(),
  category: z.string().nullable().optional(),
  assignedTo: z.string().nullable().optional(),
  alertWebUrl: z.string().nullable().optional(),
  incidentWebUrl: z.string().nullable().optional(),
  actorDisplayName: z.string().nullable().optional(),
  threatDisplayName: z.string().nullable().optional(),
  threatFamilyName: z.string().nullable().optional(),
  mitreTechniques: z.array(z.string()).optional(),
  createdDateTime: dateTime,
  // The sync cursor (`$filter=lastUpdateDateTime ge ...`).
  lastUpdateDateTime: dateTime,
  resolvedDateTime: dateTime.nullable().optional(),
  firstActivityDateTime: dateTime.nullable().optional(),
  lastActivityDateTime: dateTime.nullable().optional(),
  comments: z.array(graphCommentSchema).optional(),
  evidence: z.array(graphEvidenceSchema).optional(),
  systemTags: z.array(z.string()).optional(),
});
export type GraphAlert = z.infer<typeof graphAlertSchema>;

/** security-incident.md. `alerts` is present only with `$expand=alerts`. */
export const graphIncidentSchema = z.object({
  "@odata.type": z.string().nullable().optional(),
  id: z.string(),
  incidentWebUrl: z.string().nullable().optional(),
  redirectIncidentId: z.string().nullable().optional(),
  tenantId: z.string().nullable().optional(),
  displayName: z.string().nullable().optional(),
  createdDateTime: dateTime,
  // The sync cursor (`$filter=lastUpdateDateTime ge ...`).
  lastUpdateDateTime: dateTime,
  assignedTo: z.string().nullable().optional(),
  classification: openEnum(GRAPH_CLASSIFICATIONS).optional(),
  determination: openEnum(GRAPH_DETERMINATIONS).optional(),
  status: openEnum(GRAPH_INCIDENT_STATUSES).optional(),
  severity: openEnum(GRAPH_SEVERITIES).optional(),
  customTags: z.array(z.string()).optional(),
  // UNCONFIRMED: the `$expand=alerts` example sends `tags` instead of `customTags`; kept so neither is lost.
  tags: z.array(z.string()).optional(),
  systemTags: z.array(z.string()).optional(),
  comments: z.array(graphCommentSchema).optional(),
  // UNCONFIRMED: the docs show a string; null accepted because the description is optional free text.
  description: z.string().nullable().optional(),
  alerts: z.array(graphAlertSchema).optional(),
});
export type GraphIncident = z.infer<typeof graphIncidentSchema>;

export const graphIncidentListSchema = graphListSchema(graphIncidentSchema);
export type GraphIncidentList = z.infer<typeof graphIncidentListSchema>;

export const graphAlertListSchema = graphListSchema(graphAlertSchema);
export type GraphAlertList = z.infer<typeof graphAlertListSchema>;
