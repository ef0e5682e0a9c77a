/**
 * One canonical spelling for every enum value the store filters or groups on (severity, status, classification,
 * determination), whichever API and casing it came in. Pure: used by both sources and both feeds at ingest
 * (lib/sync/sources.ts), mirrored by the SQL of prisma/migrations/20261201030000_canonical_values (a test runs that
 * migration over every spelling below and compares), and read by the UI for labels.
 *
 * The canonical form is Microsoft Graph's camelCase (microsoft-graph-docs-contrib
 * api-reference/v1.0/resources/security-alert.md, security-incident.md). Spellings seen in Microsoft's pages:
 * - Graph examples mix casings: api/security-list-incidents.md Example 1 and api/security-incident-get.md send
 *   `"Medium"`, `"Active"`, `"TruePositive"`; Example 2 and the alerts_v2 pages send `"medium"`, `"active"`.
 * - Defender XDR (defender-docs defender-xdr/api-list-incidents.md, api-update-incidents.md) and Defender for
 *   Endpoint (defender-endpoint/api/alerts.md) use PascalCase; severity `UnSpecified`; determination `NotAvailable`.
 * - Determination synonyms across pages (same meaning, different member names):
 *     security-alert.md property row / MDE alerts.md : compromisedUser, clean, insufficientData, confirmedUserActivity
 *     security-alert.md values table                 : compromisedAccount, notMalicious, notEnoughDataToValidate, confirmedActivity
 *     XDR api-update-incidents.md                    : CompromisedAccount, Clean, NoEnoughDataToValidate, ConfirmedActivity
 *   The property-row spelling is canonical: it is what Graph's $metadata and the MDE read API use.
 * A value none of the pages lists is kept, lower-camel (first letter lower-cased; cut at LIMITS.enumValue), never
 * dropped: Microsoft adds members to these "evolvable enums" without notice.
 */

import { capText, LIMITS } from "./caps.ts";

export const SEVERITIES = ["high", "medium", "low", "informational", "unknown"] as const;
// Graph's awaitingAction (only with `Prefer: include-unknown-enum-members`) is kept as it comes, not offered as a filter.
export const INCIDENT_STATUSES = ["active", "inProgress", "resolved", "redirected"] as const;
export const ALERT_STATUSES = ["new", "inProgress", "resolved", "unknown"] as const;
export const CLASSIFICATIONS = ["unknown", "truePositive", "falsePositive", "informationalExpectedActivity"] as const;
export const DETERMINATIONS = [
  "unknown",
  "multiStagedAttack",
  "maliciousUserActivity",
  "compromisedUser",
  "malware",
  "phishing",
  "unwantedSoftware",
  "apt",
  "securityPersonnel",
  "securityTesting",
  "lineOfBusinessApplication",
  "confirmedUserActivity",
  "clean",
  "insufficientData",
  "other",
] as const;

export type EnumField = "severity" | "incidentStatus" | "alertStatus" | "classification" | "determination";

const CANONICAL: Record<EnumField, readonly string[]> = {
  severity: SEVERITIES,
  incidentStatus: INCIDENT_STATUSES,
  alertStatus: ALERT_STATUSES,
  classification: CLASSIFICATIONS,
  determination: DETERMINATIONS,
};

/** Other documented names for a canonical value (matched case-insensitively, like every spelling here). */
export const SYNONYMS: Record<EnumField, Record<string, string>> = {
  // MDE alerts.md / XDR: UnSpecified; Graph alertSeverity: unknown.
  severity: { unspecified: "unknown" },
  incidentStatus: {},
  alertStatus: {},
  classification: {},
  determination: {
    notavailable: "unknown", // XDR api-list-incidents.md, MDE alerts.md
    compromisedaccount: "compromisedUser", // security-alert.md values table, XDR api-update-incidents.md
    notmalicious: "clean", // security-alert.md values table
    notenoughdatatovalidate: "insufficientData", // security-alert.md values table
    noenoughdatatovalidate: "insufficientData", // XDR api-update-incidents.md (sic)
    confirmedactivity: "confirmedUserActivity", // security-alert.md values table, XDR api-update-incidents.md
  },
};

/** Documented members that no queue filters on: stored as the resource pages spell them, in any casing. */
export const OTHER_MEMBERS: Record<EnumField, readonly string[]> = {
  severity: ["unknownFutureValue"],
  // security-incident.md: awaitingAction needs `Prefer: include-unknown-enum-members`.
  incidentStatus: ["unknownFutureValue", "awaitingAction"],
  // XDR api-list-incidents.md lists Active for alerts (Graph and MDE do not).
  alertStatus: ["unknownFutureValue", "active"],
  classification: ["unknownFutureValue"],
  determination: ["unknownFutureValue"],
};

const LOOKUP: Record<EnumField, Map<string, string>> = Object.fromEntries(
  (Object.keys(CANONICAL) as EnumField[]).map((field) => [
    field,
    new Map<string, string>([...[...CANONICAL[field], ...OTHER_MEMBERS[field]].map((v) => [v.toLowerCase(), v] as const), ...Object.entries(SYNONYMS[field])]),
  ]),
) as Record<EnumField, Map<string, string>>;

/** The canonical spelling of `value` for `field`; null for null/empty; an unknown value lower-camel. */
export function canonicalValue(field: EnumField, value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === "") return null;
  // ASCII only, so PostgreSQL's lower() in the migration agrees with this character for character.
  const known = /^[A-Za-z]+$/.test(value) ? LOOKUP[field].get(value.toLowerCase()) : undefined;
  return (
    known ??
    capText(
      value.replace(/^[A-Z]/, (c) => c.toLowerCase()),
      LIMITS.enumValue,
    )
  );
}

export const canonicalSeverity = (v: string | null | undefined): string => canonicalValue("severity", v) ?? "unknown";
export const canonicalIncidentStatus = (v: string | null | undefined): string => canonicalValue("incidentStatus", v) ?? "active";
export const canonicalAlertStatus = (v: string | null | undefined): string => canonicalValue("alertStatus", v) ?? "unknown";
export const canonicalClassification = (v: string | null | undefined): string | null => canonicalValue("classification", v);
export const canonicalDetermination = (v: string | null | undefined): string | null => canonicalValue("determination", v);

/**
 * Tags from every spelling Microsoft uses (`customTags` on the resource page, `tags` in the `$expand=alerts` example
 * of security-list-incidents.md, `systemTags`; `tags` on XDR), in order, without duplicates or blanks.
 */
export function mergeTags(...lists: (readonly string[] | null | undefined)[]): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const tag of list ?? []) if (tag.trim() !== "") seen.add(tag);
  return [...seen];
}

/** One label per canonical value (wording of the Defender portal); anything else is spelled out from its camelCase. */
export const LABELS: Record<string, string> = {
  high: "High",
  medium: "Medium",
  low: "Low",
  informational: "Informational",
  unknown: "Unknown",
  active: "Active",
  inProgress: "In progress",
  resolved: "Resolved",
  redirected: "Redirected",
  new: "New",
  awaitingAction: "Awaiting action",
  truePositive: "True positive",
  falsePositive: "False positive",
  informationalExpectedActivity: "Informational, expected activity",
  multiStagedAttack: "Multi-staged attack",
  maliciousUserActivity: "Malicious user activity",
  compromisedUser: "Compromised account",
  malware: "Malware",
  phishing: "Phishing",
  unwantedSoftware: "Unwanted software",
  apt: "APT",
  securityPersonnel: "Security personnel",
  securityTesting: "Security testing",
  lineOfBusinessApplication: "Line-of-business application",
  confirmedUserActivity: "Confirmed activity",
  clean: "Not malicious",
  insufficientData: "Not enough data to validate",
  other: "Other",
};

export function label(value: string | null | undefined): string {
  if (!value) return "—";
  return LABELS[value] ?? value.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
}
