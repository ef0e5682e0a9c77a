import { z } from "zod";
import { assertCan, type Viewer } from "../auth/viewer.ts";
import { serverConfig } from "../config/env.ts";
import { db } from "../db/client.ts";
import { toCsv } from "../export/csv.ts";
import { MicrosoftApiError } from "../microsoft/api-client.ts";
import { apiClient } from "../microsoft/clients.ts";
import { regionOf } from "../microsoft/hosts.ts";
import { MicrosoftPayloadError } from "../microsoft/schemas/parse.ts";
import type { SiemAlert } from "../microsoft/schemas/siem.ts";
import { fetchSiemDetections, type SiemQuery } from "../microsoft/siem.ts";
import { writeAudit } from "./audit.ts";
import { fieldErrorsOf } from "./form-errors.ts";
import { findVisibleCustomer } from "./customers.ts";

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));
const utcTime = optionalText(40).refine((v) => v === undefined || !Number.isNaN(Date.parse(/(Z|[+-]\d{2}:\d{2})$/i.test(v) ? v : `${v}Z`)), {
  message: "Use a UTC time like 2026-11-01T00:00:00Z.",
});

/**
 * The importer's form (all optional, like the API's parameters), with the API's own rules as messages. `limit` is
 * capped by SIEM_MAX_LIMIT (default 10,000): the API documents no maximum, and the whole pull is held in memory.
 */
export const siemQuerySchema = (maxLimit: number) =>
  z
    .object({
      sinceTimeUtc: utcTime,
      untilTimeUtc: utcTime,
      ago: optionalText(20).refine((v) => v === undefined || /^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(v), {
        message: "Use an ISO 8601 duration like PT10M, PT2H or P1D.",
      }),
      limit: optionalText(7)
        .refine((v) => v === undefined || /^\d+$/.test(v), { message: "A whole number of detections, e.g. 500." })
        .transform((v) => (v === undefined ? undefined : Number(v)))
        .refine((v) => v === undefined || (v >= 1 && v <= maxLimit), { message: `Between 1 and ${maxLimit.toLocaleString("en-US")} detections per pull.` }),
      machinegroups: z
        .union([z.string(), z.array(z.string())])
        .optional()
        .transform((v) =>
          (v === undefined ? [] : Array.isArray(v) ? v : v.split(","))
            .map((g) => g.trim())
            .filter(Boolean)
            .slice(0, 50),
        ),
      deviceCreatedMachineTags: optionalText(200),
      cloudCreatedMachineTags: optionalText(200),
    })
    .refine((q) => !(q.ago && q.sinceTimeUtc), { message: "Give either “since” or “ago”, not both.", path: ["ago"] });

export type SiemImport =
  | { ok: true; customer: { id: string; displayName: string }; query: SiemQuery; detections: SiemAlert[] }
  | { ok: false; fieldErrors?: Record<string, string>; error: string };

/**
 * Pulls detections from the deprecated SIEM API for one customer the viewer may see. Nothing is stored: the
 * result is shown and downloadable. Each pull is audited (who pulled which customer's detections, and how many).
 */
export async function pullSiemDetections(viewer: Viewer, customerId: string, params: Record<string, unknown>): Promise<SiemImport | null> {
  assertCan(viewer, "incidents:read");
  const customer = await findVisibleCustomer(viewer, customerId);
  if (!customer) return null;
  if (!customer.tenantId) return { ok: false, error: "This customer has not consented yet: there is no tenant to pull from." };
  const parsed = siemQuerySchema(serverConfig().siemMaxLimit).safeParse(params);
  if (!parsed.success) {
    return { ok: false, fieldErrors: fieldErrorsOf(parsed.error), error: "Some parameters are not valid." };
  }
  const query: SiemQuery = parsed.data;
  try {
    const detections = await fetchSiemDetections(apiClient(), { tenantId: customer.tenantId, region: regionOf(customer.region) }, query);
    await writeAudit(db(), { actor: `user:${viewer.userId}`, action: "siem.pulled", customerId: customer.id, detail: { count: detections.length, query } });
    return { ok: true, customer: { id: customer.id, displayName: customer.displayName }, query, detections };
  } catch (err) {
    if (err instanceof MicrosoftApiError || err instanceof MicrosoftPayloadError) {
      return { ok: false, error: `Microsoft's SIEM API did not answer: ${err.message}${"code" in err && err.code ? ` (${err.code})` : ""}` };
    }
    throw err;
  }
}

export const SIEM_CSV_COLUMNS = [
  "AlertId",
  "AlertTime",
  "LastProcessedTimeUtc",
  "Severity",
  "AlertTitle",
  "Category",
  "ComputerDnsName",
  "MachineName",
  "MachineGroup",
  "UserName",
  "UserDomain",
  "FileName",
  "FilePath",
  "Sha1",
  "Sha256",
  "Md5",
  "CommandLine",
  "IpAddress",
  "Url",
  "ThreatFamily",
  "ThreatName",
  "Source",
  "LinkToWDATP",
  "LinkToMTP",
  "IncidentLinkToMTP",
] as const satisfies readonly (keyof SiemAlert)[];

export function siemDetectionsCsv(detections: SiemAlert[]): string {
  return toCsv(
    SIEM_CSV_COLUMNS,
    detections.map((d) =>
      SIEM_CSV_COLUMNS.map((c) => {
        const v = d[c];
        return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : null;
      }),
    ),
  );
}
