/**
 * The four device response actions of Defender for Endpoint the portal offers, shared by the data layer and the UI
 * (pure: no database, no Microsoft). Endpoints, bodies and permissions from defender-docs
 * defender-endpoint/api/isolate-machine.md, unisolate-machine.md, run-av-scan.md, collect-investigation-package.md.
 */
export type ResponseActionKey = "isolate" | "release" | "scan" | "collect";
export type MachineActionType = "Isolate" | "Unisolate" | "RunAntiVirusScan" | "CollectInvestigationPackage";

export interface ResponseActionDef {
  key: ResponseActionKey;
  type: MachineActionType;
  /** Path segment after /api/machines/{id}/ */
  segment: string;
  /** The WindowsDefenderATP application permission the customer must have granted. */
  permission: "Machine.Isolate" | "Machine.Scan" | "Machine.CollectForensics";
  label: string;
  /** What it does, in the confirmation step. */
  explain: string;
  audit: string;
}

export const RESPONSE_ACTIONS: Record<ResponseActionKey, ResponseActionDef> = {
  isolate: {
    key: "isolate",
    type: "Isolate",
    segment: "isolate",
    permission: "Machine.Isolate",
    label: "Isolate",
    explain:
      "Cuts the device off the network: Full isolation keeps only its connection to Microsoft Defender; Selective isolation also lets Outlook, Teams and Skype for Business through. The user loses network access until someone releases the device.",
    audit: "device.isolate",
  },
  release: {
    key: "release",
    type: "Unisolate",
    segment: "unisolate",
    permission: "Machine.Isolate",
    label: "Release from isolation",
    explain: "Gives the device its network connections back.",
    audit: "device.release",
  },
  scan: {
    key: "scan",
    type: "RunAntiVirusScan",
    segment: "runAntiVirusScan",
    permission: "Machine.Scan",
    label: "Run antivirus scan",
    explain: "Starts a Microsoft Defender Antivirus scan on the device (Quick: common locations; Full: every file, may take hours).",
    audit: "device.scan",
  },
  collect: {
    key: "collect",
    type: "CollectInvestigationPackage",
    segment: "collectInvestigationPackage",
    permission: "Machine.CollectForensics",
    label: "Collect investigation package",
    explain: "Collects forensic data (processes, network connections, event logs, …) from the device into a package you can download once it is ready.",
    audit: "device.collect_package",
  },
};

export const RESPONSE_ACTION_KEYS = Object.keys(RESPONSE_ACTIONS) as ResponseActionKey[];

/** machineAction `type` → what the portal calls it (device panel, notifications). */
export const MACHINE_ACTION_LABELS: Record<string, string> = {
  Isolate: "Isolate",
  Unisolate: "Release from isolation",
  RunAntiVirusScan: "Antivirus scan",
  CollectInvestigationPackage: "Investigation package",
};

/** What an analyst without the Responder capability is told: next to the disabled actions, and by a refused call. */
export const RESPONDER_REQUIRED = "You need the Responder permission to run response actions — ask a partner admin (Settings → Users & access).";

/** machineaction.md statuses, and the portal's own "Sending" (asked, no answer yet), "NotSent" (Microsoft refused)
 * and "Unconfirmed" (no answer: Microsoft may have acted; never resent blindly). */
export const FINAL_STATUSES: readonly string[] = ["Succeeded", "Failed", "TimeOut", "Cancelled", "NotSent", "Unconfirmed"];

export function isFinalStatus(status: string): boolean {
  return FINAL_STATUSES.includes(status);
}

export const MACHINE_ID_RE = /^[0-9a-f]{40}$/i;

/** One action as the device panel shows it. */
export interface DeviceActionView {
  id: string;
  type: string;
  options: Record<string, string>;
  comment: string;
  requestedByEmail: string;
  status: string;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  final: boolean;
}

/** The devices of an incident or alert with their response actions (lib/data/device-actions.ts getDeviceResponse). */
export interface DeviceResponseView {
  context: { incidentId: string | null; alertId: string | null };
  customer: { id: string; displayName: string };
  /** The viewer may run response actions (devices:respond). */
  canRespond: boolean;
  /** Why not, in words, when canRespond is false (an analyst without the Responder capability). */
  cannotRespondReason: string | null;
  /** The viewer may create the additional-permissions link (partner admin). */
  canAskPermission: boolean;
  /** Per action: the customer's missing permissions (empty = granted). */
  missing: Record<ResponseActionKey, string[]>;
  devices: { machineId: string; name: string | null; isolated: boolean | null; actions: DeviceActionView[] }[];
}
