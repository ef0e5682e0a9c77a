/** The importer's form fields for a query (shared by the page's download form and the download route). Pure. */
export interface SiemFormQuery {
  sinceTimeUtc?: string;
  untilTimeUtc?: string;
  ago?: string;
  limit?: number;
  machinegroups: string[];
  deviceCreatedMachineTags?: string;
  cloudCreatedMachineTags?: string;
}

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
