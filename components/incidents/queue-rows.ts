import type { SlaCell } from "../sla/sla-cell";

// The queues' rows as their client tables (incident-table.tsx, alert-table.tsx) receive them. A module of its own, not
// inside the "use client" files: on the server, what a client module exports is only a reference to it.

/**
 * One queue row as the browser needs it: display values only, decided on the server (lib/data stays on the server;
 * dates are formatted there, so the HTML and the hydrated table agree). Optional fields are left out when empty.
 */
export interface IncidentRowView {
  id: string;
  /** Microsoft's incident number. */
  no: string;
  title: string;
  severity: string;
  status: string;
  customer: string;
  alerts: number;
  assignedTo?: string;
  /** Set only once an analyst classified it (Microsoft sends "unknown" until then). */
  classification?: string;
  determination?: string;
  /** Last update, in minutes since the epoch (components/ui/primitives.tsx epochMinutes, shown by formatDateTime). */
  updated: number;
  /** The SLA cells (components/sla/sla-cell.ts), flattened. */
  slaState: SlaCell["state"];
  slaDue?: number;
  slaClock?: string;
  slaLeft?: string;
  /** A notification suppression covers it: who set it, and its reason and end for the tooltip. */
  suppressedBy?: string;
  suppressedNote?: string;
}

export const INCIDENT_ROW_FIELDS = [
  "id",
  "no",
  "title",
  "severity",
  "status",
  "customer",
  "alerts",
  "assignedTo",
  "classification",
  "determination",
  "updated",
  "slaState",
  "slaDue",
  "slaClock",
  "slaLeft",
  "suppressedBy",
  "suppressedNote",
] as const satisfies readonly (keyof IncidentRowView)[];

/** One alert-queue row as the browser needs it (display values, decided on the server; empty fields left out). */
export interface AlertRowView {
  id: string;
  title: string;
  category?: string;
  severity: string;
  status: string;
  customer: string;
  /** Service or detection source (canonical value). */
  source?: string;
  assignedTo?: string;
  /** Last update, in minutes since the epoch. */
  updated: number;
}

export const ALERT_ROW_FIELDS = [
  "id",
  "title",
  "category",
  "severity",
  "status",
  "customer",
  "source",
  "assignedTo",
  "updated",
] as const satisfies readonly (keyof AlertRowView)[];
