import type { MicrosoftApiClient, TenantTarget } from "./api-client.ts";
import { parseMicrosoftPayload } from "./schemas/parse.ts";
import { siemAlertListSchema, type SiemAlert } from "./schemas/siem.ts";

/**
 * The legacy Defender for Endpoint SIEM REST API (pull-alerts-using-rest-api.md), deprecated since 2023-12-31 and
 * liable to be switched off: an importer only, never the portal's sync path.
 */
export interface SiemQuery {
  /** On `LastProcessedTimeUtc`; Microsoft defaults to the last two hours when neither this nor `ago` is given. */
  sinceTimeUtc?: string;
  untilTimeUtc?: string;
  /** ISO 8601 duration, e.g. PT10M. */
  ago?: string;
  /** The most recent N detections. */
  limit?: number;
  machinegroups: string[];
  deviceCreatedMachineTags?: string;
  cloudCreatedMachineTags?: string;
}

export function siemQueryString(q: SiemQuery): string {
  const p = new URLSearchParams();
  if (q.sinceTimeUtc) p.set("sinceTimeUtc", q.sinceTimeUtc);
  if (q.untilTimeUtc) p.set("untilTimeUtc", q.untilTimeUtc);
  if (q.ago) p.set("ago", q.ago);
  if (q.limit !== undefined) p.set("limit", String(q.limit));
  for (const g of q.machinegroups) p.append("machinegroups", g);
  if (q.deviceCreatedMachineTags) p.set("DeviceCreatedMachineTags", q.deviceCreatedMachineTags);
  if (q.cloudCreatedMachineTags) p.set("CloudCreatedMachineTags", q.cloudCreatedMachineTags);
  const s = p.toString();
  return s ? `?${s}` : "";
}

export async function fetchSiemDetections(client: MicrosoftApiClient, target: TenantTarget, q: SiemQuery): Promise<SiemAlert[]> {
  const raw = await client.getJson("siem", target, `/api/alerts${siemQueryString(q)}`);
  return parseMicrosoftPayload(siemAlertListSchema, raw, "SIEM API detections");
}
