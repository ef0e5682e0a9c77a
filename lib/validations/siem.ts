import type { SiemQuery } from "../microsoft/siem.ts";

/** The importer's form fields for a query (shared by the page's download form and the download route). Pure. */
/** The importer's query is the API's own (type only: nothing of lib/microsoft reaches the browser). */
export type SiemFormQuery = SiemQuery;

export function siemQueryFields(q: SiemFormQuery): [string, string][] {
  const out: [string, string][] = [];
  if (q.sinceTimeUtc) out.push(["sinceTimeUtc", q.sinceTimeUtc]);
  if (q.untilTimeUtc) out.push(["untilTimeUtc", q.untilTimeUtc]);
  if (q.ago) out.push(["ago", q.ago]);
  if (q.limit !== undefined) out.push(["limit", String(q.limit)]);
  if (q.machinegroups.length) out.push(["machinegroups", q.machinegroups.join(",")]);
  if (q.deviceCreatedMachineTags) out.push(["deviceCreatedMachineTags", q.deviceCreatedMachineTags]);
  if (q.cloudCreatedMachineTags) out.push(["cloudCreatedMachineTags", q.cloudCreatedMachineTags]);
  return out;
}
