/**
 * An incident's entities across all its alerts, de-duplicated: the devices, users, files, processes, IPs, URLs and
 * mailboxes an analyst asks about first, each with its verdicts, remediation states and the alerts it appears in.
 * Pure (no database), from the stored alert payloads, which flatten both sources: Defender XDR entities (`fileName`,
 * `processCommandLine`, `accountName`, …) and Graph's polymorphic evidence (`fileDetails.sha256`, `imageFile.fileName`,
 * `userAccount.userPrincipalName`, …; lib/sync/sources.ts).
 */
export type EntityKind = "device" | "user" | "file" | "process" | "ip" | "url" | "mailbox" | "other";

export const ENTITY_KINDS: { kind: EntityKind; title: string }[] = [
  { kind: "device", title: "Devices" },
  { kind: "user", title: "Users" },
  { kind: "file", title: "Files" },
  { kind: "process", title: "Processes" },
  { kind: "ip", title: "IP addresses" },
  { kind: "url", title: "URLs" },
  { kind: "mailbox", title: "Mailboxes" },
  { kind: "other", title: "Other evidence" },
];

export interface EntityInput {
  id: string;
  title: string;
  detail: {
    devices: { id: string | null; name: string | null; osPlatform: string | null; healthStatus: string | null; riskScore: string | null }[];
    evidence: { type: string; verdict: string | null; remediationStatus: string | null; fields: Record<string, string> }[];
  };
}

export interface EntitySummaryItem {
  kind: EntityKind;
  key: string;
  /** What the entity is called (host name, UPN, file name, command line's image, address). */
  name: string;
  /** The facts worth a glance, in order (command line, path, hash, OS, …). */
  facts: { label: string; value: string }[];
  verdicts: string[];
  remediation: string[];
  alerts: { id: string; title: string }[];
  /** Every distinct raw field set behind it (for the toggle). */
  raw: Record<string, string>[];
}

/** At most this many distinct raw field sets per entity are kept for the toggle. */
const MAX_RAW = 5;

const pick = (f: Record<string, string>, ...keys: string[]): string | null => {
  for (const k of keys) {
    const v = f[k];
    if (v !== undefined && v !== "") return v;
  }
  return null;
};
const lower = (v: string | null) => (v === null ? null : v.trim().toLowerCase());

function kindOf(type: string): EntityKind {
  const t = type.toLowerCase();
  if (t === "device" || t === "machine") return "device";
  if (t === "user" || t === "account") return "user";
  if (t === "file") return "file";
  if (t === "process") return "process";
  if (t === "ip") return "ip";
  if (t === "url") return "url";
  if (t === "mailbox") return "mailbox";
  return "other";
}

type Identified = { key: string; name: string; facts: [string, string | null][] };

/** The identity of one evidence item: its de-duplication key, its name and its facts. */
function identify(kind: EntityKind, type: string, f: Record<string, string>): Identified {
  switch (kind) {
    case "device": {
      const id = pick(f, "mdeDeviceId", "mdatpDeviceId", "deviceId");
      const name = pick(f, "deviceDnsName", "hostName", "computerDnsName") ?? id ?? "(unnamed device)";
      return {
        key: lower(id) ?? lower(name)!,
        name,
        facts: [
          ["OS", pick(f, "osPlatform")],
          ["Health", pick(f, "healthStatus")],
          ["Risk", pick(f, "riskScore")],
        ],
      };
    }
    case "user": {
      const upn = pick(f, "userPrincipalName", "userAccount.userPrincipalName");
      const account = pick(f, "accountName", "userAccount.accountName");
      const domain = pick(f, "domainName", "userAccount.domainName");
      const sid = pick(f, "userSid", "userAccount.userSid");
      const aad = pick(f, "aadUserId", "userAccount.azureAdUserId");
      const qualified = account ? (domain ? `${domain}\\${account}` : account) : null;
      const name = upn ?? qualified ?? aad ?? sid ?? "(unnamed user)";
      return {
        key: lower(upn) ?? lower(qualified) ?? lower(aad) ?? lower(sid) ?? "?",
        name,
        facts: [
          ["Account", qualified],
          ["SID", sid],
          ["Entra ID object", aad],
        ],
      };
    }
    case "file": {
      const sha256 = pick(f, "sha256", "fileDetails.sha256");
      const sha1 = pick(f, "sha1", "fileDetails.sha1");
      const fileName = pick(f, "fileName", "fileDetails.fileName");
      const path = pick(f, "filePath", "fileDetails.filePath");
      return {
        key: lower(sha256) ?? lower(sha1) ?? `${lower(path) ?? ""}|${lower(fileName) ?? ""}`,
        name: fileName ?? sha256 ?? sha1 ?? "(unnamed file)",
        facts: [
          ["Path", path],
          ["SHA-256", sha256],
          ["SHA-1", sha1],
        ],
      };
    }
    case "process": {
      const cmd = pick(f, "processCommandLine");
      const pid = pick(f, "processId");
      const image = pick(f, "fileName", "imageFile.fileName");
      const path = pick(f, "filePath", "imageFile.filePath");
      const device = pick(f, "mdeDeviceId", "deviceId");
      return {
        key: `${lower(device) ?? ""}|${pid ?? ""}|${cmd ?? ""}|${lower(image) ?? ""}`,
        name: image ?? (cmd ? cmd.split(/\s+/)[0]! : null) ?? `process ${pid ?? "?"}`,
        facts: [
          ["Command line", cmd],
          ["Process ID", pid],
          ["Image path", path],
          ["Parent process ID", pick(f, "parentProcessId")],
          ["Parent image", pick(f, "parentProcessImageFile.fileName")],
        ],
      };
    }
    case "ip": {
      const ip = pick(f, "ipAddress", "address");
      return { key: lower(ip) ?? "?", name: ip ?? "(no address)", facts: [["Country", pick(f, "countryLetterCode")]] };
    }
    case "url": {
      const url = pick(f, "url");
      return { key: url ?? "?", name: url ?? "(no URL)", facts: [] };
    }
    case "mailbox": {
      const address = pick(f, "mailboxAddress", "primaryAddress", "upn", "userPrincipalName", "userAccount.userPrincipalName");
      return {
        key: lower(address) ?? "?",
        name: address ?? "(no address)",
        facts: [["Display name", pick(f, "mailboxDisplayName", "displayName", "userAccount.displayName")]],
      };
    }
    default: {
      const keys = Object.keys(f).sort();
      const first = keys.find((k) => !/(Time|DateTime|Id)$/.test(k));
      return {
        key: `${type}|${keys.map((k) => `${k}=${f[k]}`).join("|")}`,
        name: first ? f[first]! : type,
        facts: [["Type", type]],
      };
    }
  }
}

/** Merges every alert's devices and evidence into one list per kind, each entity once. */
export function summarizeEntities(alerts: EntityInput[]): Record<EntityKind, EntitySummaryItem[]> {
  const byKey = new Map<string, EntitySummaryItem>();
  const order: EntitySummaryItem[] = [];
  const add = (kind: EntityKind, type: string, fields: Record<string, string>, alert: EntityInput, verdict: string | null, remediation: string | null) => {
    const id = identify(kind, type, fields);
    const key = `${kind}:${id.key}`;
    let item = byKey.get(key);
    if (!item) {
      item = { kind, key, name: id.name, facts: [], verdicts: [], remediation: [], alerts: [], raw: [] };
      byKey.set(key, item);
      order.push(item);
    }
    // The first non-empty value of each fact wins; later alerts fill the gaps.
    for (const [label, value] of id.facts) {
      if (value !== null && value !== "" && !item.facts.some((x) => x.label === label)) item.facts.push({ label, value });
    }
    if (verdict && !item.verdicts.includes(verdict)) item.verdicts.push(verdict);
    if (remediation && !item.remediation.includes(remediation)) item.remediation.push(remediation);
    if (!item.alerts.some((a) => a.id === alert.id)) item.alerts.push({ id: alert.id, title: alert.title });
    const signature = JSON.stringify(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (item.raw.length < MAX_RAW && !item.raw.some((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))) === signature)) {
      item.raw.push(fields);
    }
  };
  for (const alert of alerts) {
    for (const d of alert.detail.devices) {
      const fields: Record<string, string> = {};
      if (d.id) fields.mdeDeviceId = d.id;
      if (d.name) fields.deviceDnsName = d.name;
      if (d.osPlatform) fields.osPlatform = d.osPlatform;
      if (d.healthStatus) fields.healthStatus = d.healthStatus;
      if (d.riskScore) fields.riskScore = d.riskScore;
      if (d.id || d.name) add("device", "device", fields, alert, null, null);
    }
    for (const e of alert.detail.evidence) add(kindOf(e.type), e.type, e.fields, alert, e.verdict, e.remediationStatus);
  }
  const out = Object.fromEntries(ENTITY_KINDS.map(({ kind }) => [kind, [] as EntitySummaryItem[]])) as Record<EntityKind, EntitySummaryItem[]>;
  for (const item of order) out[item.kind].push(item);
  return out;
}
