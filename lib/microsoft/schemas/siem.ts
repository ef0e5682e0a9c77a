import { z } from "zod";
import { microsoftDateTimeSchema as dateTime, openEnum } from "./common.ts";

/**
 * Legacy Defender for Endpoint SIEM REST API: `GET https://wdatp-alertexporter-{eu|us|uk}.windows.com/api/alerts`.
 * Deprecated (2023-12-31); supported as an importer only. The response is a bare JSON array of flat PascalCase
 * detections.
 * Source: MicrosoftDocs/microsoft-365-docs `microsoft-365/security/defender-endpoint/pull-alerts-using-rest-api.md`
 * (2020 example, fixture siem-list-alerts.json) and the older MicrosoftDocs/windows-itpro-docs
 * `windows/keep-secure/pull-alerts-using-rest-api-windows-defender-advanced-threat-protection.md` (2017 example,
 * fixture siem-alert-2017.json).
 *
 * The 2017 example writes empty values as null, the 2020 example as "". Every string field other than the
 * identifiers and the cursor therefore accepts null.
 */

// UNCONFIRMED: the SIEM docs show only "High" and "Medium"; the list mirrors the MDE alert severities.
export const SIEM_SEVERITIES = ["UnSpecified", "Informational", "Low", "Medium", "High"] as const;

// UNCONFIRMED: null for these string fields is shown only in the 2017 example or not at all (see file comment).
const text = z.string().nullable().optional();

export const siemAlertSchema = z.object({
  AlertId: z.string(),
  AlertTime: dateTime.optional(),
  // The sync cursor: `sinceTimeUtc` filters on it.
  LastProcessedTimeUtc: dateTime,
  ComputerDnsName: text,
  AlertTitle: text,
  Category: text,
  Severity: openEnum(SIEM_SEVERITIES).optional(),
  Actor: text,
  LinkToWDATP: text,
  IocName: text,
  IocValue: text,
  CreatorIocName: text,
  CreatorIocValue: text,
  Sha1: text,
  FileName: text,
  FilePath: text,
  IpAddress: text,
  Url: text,
  IoaDefinitionId: text,
  /** The 2017 example spells it this way. */
  IoaDefinitiondId: text,
  UserName: text,
  AlertPart: z.number().int().optional(),
  FullId: text,
  ThreatCategory: text,
  ThreatFamily: text,
  ThreatName: text,
  RemediationAction: text,
  // UNCONFIRMED: always null in the docs; the names suggest booleans. Strings accepted too.
  RemediationIsSuccess: z.union([z.boolean(), z.string()]).nullable().optional(),
  Source: text,
  Md5: text,
  Sha256: text,
  // UNCONFIRMED: always null in the docs; the name suggests a boolean. Strings accepted too.
  WasExecutingWhileDetected: z.union([z.boolean(), z.string()]).nullable().optional(),
  UserDomain: text,
  LogOnUsers: text,
  MachineDomain: text,
  MachineName: text,
  InternalIPv4List: text,
  InternalIPv6List: text,
  FileHash: text,
  DeviceID: text,
  MachineGroup: text,
  Description: text,
  DeviceCreatedMachineTags: text,
  CloudCreatedMachineTags: text,
  CommandLine: text,
  IncidentLinkToWDATP: text,
  ReportID: z.number().int().optional(),
  LinkToMTP: text,
  IncidentLinkToMTP: text,
  ExternalId: text,
  IocUniqueId: text,
});
export type SiemAlert = z.infer<typeof siemAlertSchema>;

/** The SIEM API answers with a bare array, not an OData envelope. */
export const siemAlertListSchema = z.array(siemAlertSchema);
export type SiemAlertList = z.infer<typeof siemAlertListSchema>;
