/**
 * Incidents and alerts as the portal stores them, whichever API they came from. Enum values are canonical
 * (canonical.ts: Graph's camelCase, synonyms folded); text is bounded (caps.ts).
 */
export type DataSource = "defender" | "graph";
export type Feed = "incidents" | "alerts";

export interface NormalizedAlert {
  sourceId: string;
  incidentSourceId: string | null;
  title: string;
  severity: string;
  status: string;
  category: string | null;
  serviceSource: string | null;
  detectionSource: string | null;
  classification: string | null;
  determination: string | null;
  assignedTo: string | null;
  createdTime: Date;
  lastUpdateTime: Date;
  payload: unknown;
}

export interface NormalizedIncident {
  sourceId: string;
  title: string;
  severity: string;
  status: string;
  classification: string | null;
  determination: string | null;
  assignedTo: string | null;
  tags: string[];
  alertCount: number;
  createdTime: Date;
  lastUpdateTime: Date;
  webUrl: string | null;
  payload: unknown;
  alerts: NormalizedAlert[];
}

/** PascalCase → camelCase for names that are not stored enum values (evidence entity types). */
export function camelEnum(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === "") return null;
  return value.charAt(0).toLowerCase() + value.slice(1);
}

// The canonical values (one spelling per meaning) live in canonical.ts, with the normalizer itself.
export { ALERT_STATUSES, INCIDENT_STATUSES, SEVERITIES } from "../shared/canonical.ts";

/** The text that identifies an incident in Microsoft's portal for this tenant. */
export function defenderPortalIncidentUrl(incidentId: string, tenantId: string): string {
  return `https://security.microsoft.com/incidents/${encodeURIComponent(incidentId)}?tid=${encodeURIComponent(tenantId)}`;
}

/**
 * JSON for PostgreSQL: text and jsonb cannot hold U+0000, customer data can. JSON.stringify writes it as the escape
 * `\u0000` (and a literal backslash as `\\`), so each escape preceded by an even run of backslashes is replaced by
 * U+FFFD in the text itself: everything else is kept as is, and no copy of the rows is made.
 */
export function jsonForPostgres(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes("\\u0000") ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, "$1\\ufffd") : json;
}

/** What the portal keeps of an incident beyond its columns (Incident.payload). */
export interface IncidentDetail {
  description: string | null;
  comments: { comment: string; createdBy: string | null; createdTime: string | null }[];
  redirectIncidentId: string | null;
}

/** One piece of evidence, flattened from XDR entities, MDE evidence or Graph polymorphic evidence. */
export interface EvidenceItem {
  type: string; // file | process | ip | url | user | mailbox | mailMessage | registry | device | other
  verdict: string | null;
  remediationStatus: string | null;
  fields: Record<string, string>;
}

/** What the portal keeps of an alert beyond its columns (Alert.payload). */
export interface AlertDetail {
  description: string | null;
  firstActivity: string | null;
  lastActivity: string | null;
  mitreTechniques: string[];
  threatFamilyName: string | null;
  devices: { id: string | null; name: string | null; osPlatform: string | null; healthStatus: string | null; riskScore: string | null }[];
  evidence: EvidenceItem[];
  webUrl: string | null;
}

/** Keeps only string-like scalar fields, stringified, dropping empty ones: evidence is shown as label/value pairs. */
export function scalarFields(obj: Record<string, unknown>, omit: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (omit.includes(k) || v === null || v === undefined || v === "") continue;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = String(v);
  }
  return out;
}
