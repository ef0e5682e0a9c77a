// Defender for Endpoint machine actions (response actions) for the simulator:
//   POST /api/machines/{id}/isolate                 {Comment, IsolationType}   Machine.Isolate            isolate-machine.md
//   POST /api/machines/{id}/unisolate               {Comment}                  Machine.Isolate            unisolate-machine.md
//   POST /api/machines/{id}/runAntiVirusScan        {Comment, ScanType}        Machine.Scan               run-av-scan.md
//   POST /api/machines/{id}/collectInvestigationPackage {Comment}              Machine.CollectForensics   collect-investigation-package.md
//   GET  /api/machineactions/{id}                                              Machine.Read.All           get-machineaction-object.md
//   GET  /api/machineactions/{id}/GetPackageUri                                Machine.Read.All           get-package-sas-uri.md
// Each answers 201 with a MachineAction (machineaction.md). The machines are the tenant's device pool, the same
// devices (and 40-hex machine ids) the alerts' evidence names. An action is Pending, then InProgress, then Succeeded
// (or Failed when the tenant's `failNext` knob says so) over `pendingMs` + `runMs`; a Succeeded Isolate/Unisolate
// sets the machine's isolation state.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { iso7 } from "./render.ts";
import type { Device, TenantData } from "./model.ts";

export type MachineActionType = "Isolate" | "Unisolate" | "RunAntiVirusScan" | "CollectInvestigationPackage";
export type MachineActionStatus = "Pending" | "InProgress" | "Succeeded" | "Failed" | "TimeOut" | "Cancelled";

export interface MachineActionRec {
  id: string;
  tenantId: string;
  type: MachineActionType;
  scope: string | null;
  machineId: string;
  computerDnsName: string;
  requestor: string;
  requestorComment: string;
  createdMs: number;
  pendingMs: number;
  runMs: number;
  fails: boolean;
  /** The request body as received (for tests: the documented body was sent). */
  body: unknown;
}

export interface MachineActionKnobs {
  pendingMs: number;
  runMs: number;
  /** The next N actions of the tenant end Failed instead of Succeeded. */
  failNext: number;
}

/** The documented bodies (case-sensitive parameters, common-errors.md InvalidRequestBody otherwise). */
export const ACTION_BODIES: Record<MachineActionType, z.ZodType<{ Comment: string; IsolationType?: string; ScanType?: string }>> = {
  // isolate-machine.md: IsolationType Full | Selective | UnManagedDevice. UNCONFIRMED: whether it may be omitted (Full).
  Isolate: z.object({ Comment: z.string().min(1), IsolationType: z.enum(["Full", "Selective", "UnManagedDevice"]).optional() }),
  Unisolate: z.object({ Comment: z.string().min(1) }),
  // run-av-scan.md: ScanType Quick | Full.
  RunAntiVirusScan: z.object({ Comment: z.string().min(1), ScanType: z.enum(["Quick", "Full"]).optional() }),
  CollectInvestigationPackage: z.object({ Comment: z.string().min(1) }),
};

export class MachineActionStore {
  private readonly actions = new Map<string, MachineActionRec[]>();
  private readonly knobs = new Map<string, MachineActionKnobs>();
  /** Every machine-action request that reached the simulator (method, path, time), before any check: tests prove a
   * refused or forged request never left the portal. */
  readonly received: { method: string; path: string; atMs: number }[] = [];
  defaults: MachineActionKnobs = { pendingMs: 1000, runMs: 2000, failNext: 0 };

  knobsFor(tenantId: string): MachineActionKnobs {
    return { ...(this.knobs.get(tenantId) ?? this.defaults) };
  }

  setKnobs(tenantId: string, change: Partial<MachineActionKnobs>): MachineActionKnobs {
    const next = { ...this.knobsFor(tenantId), ...change };
    this.knobs.set(tenantId, next);
    return next;
  }

  list(tenantId: string): MachineActionRec[] {
    return this.actions.get(tenantId) ?? [];
  }

  find(tenantId: string, id: string): MachineActionRec | undefined {
    return this.list(tenantId).find((a) => a.id === id.toLowerCase());
  }

  status(a: MachineActionRec, now = Date.now()): MachineActionStatus {
    if (now < a.createdMs + a.pendingMs) return "Pending";
    if (now < a.createdMs + a.pendingMs + a.runMs) return "InProgress";
    return a.fails ? "Failed" : "Succeeded";
  }

  lastUpdateMs(a: MachineActionRec, now = Date.now()): number {
    const s = this.status(a, now);
    return s === "Pending" ? a.createdMs : s === "InProgress" ? a.createdMs + a.pendingMs : a.createdMs + a.pendingMs + a.runMs;
  }

  /** Isolated when the latest Succeeded Isolate/Unisolate of the machine is an Isolate. */
  isolated(tenantId: string, machineId: string, now = Date.now()): boolean {
    let latest: MachineActionRec | undefined;
    for (const a of this.list(tenantId)) {
      if (a.machineId !== machineId || (a.type !== "Isolate" && a.type !== "Unisolate") || this.status(a, now) !== "Succeeded") continue;
      if (!latest || this.lastUpdateMs(a, now) >= this.lastUpdateMs(latest, now)) latest = a;
    }
    return latest?.type === "Isolate";
  }

  /** An action of this type still running on the machine (the documented 400 for a second one). */
  active(tenantId: string, machineId: string, type: MachineActionType, now = Date.now()): MachineActionRec | undefined {
    // Isolate and Unisolate exclude each other: a release while an isolation is pending is refused too.
    const family = (t: MachineActionType) => (t === "Unisolate" ? "Isolate" : t);
    return this.list(tenantId).find(
      (a) => a.machineId === machineId && family(a.type) === family(type) && ["Pending", "InProgress"].includes(this.status(a, now)),
    );
  }

  create(input: Omit<MachineActionRec, "id" | "createdMs" | "pendingMs" | "runMs" | "fails">, now = Date.now()): MachineActionRec {
    const knobs = this.knobsFor(input.tenantId);
    const fails = knobs.failNext > 0;
    if (fails) this.setKnobs(input.tenantId, { failNext: knobs.failNext - 1 });
    const rec: MachineActionRec = { ...input, id: randomUUID(), createdMs: now, pendingMs: knobs.pendingMs, runMs: knobs.runMs, fails };
    const list = this.actions.get(input.tenantId) ?? [];
    list.push(rec);
    this.actions.set(input.tenantId, list);
    return rec;
  }
}

export function findMachine(data: TenantData, id: string): Device | undefined {
  const key = id.toLowerCase();
  return data.devices.find((d) => d.mdatpDeviceId === key);
}

/** machineaction.md JSON representation. */
export function machineActionView(store: MachineActionStore, a: MachineActionRec, now = Date.now()) {
  return {
    id: a.id,
    type: a.type,
    scope: a.scope,
    requestor: a.requestor,
    requestorComment: a.requestorComment,
    status: store.status(a, now),
    machineId: a.machineId,
    computerDnsName: a.computerDnsName,
    creationDateTimeUtc: iso7(a.createdMs),
    lastUpdateDateTimeUtc: iso7(store.lastUpdateMs(a, now)),
    cancellationRequestor: null,
    cancellationComment: null,
    cancellationDateTimeUtc: null,
    title: null,
    relatedFileInfo: null,
  };
}
