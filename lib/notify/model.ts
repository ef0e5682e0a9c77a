/** What one notification is about, as the formatters and senders see it (every string is tenant text: hostile). */
export interface NotifyItem {
  kind: string;
  occurredAt: Date;
  customer: { id: string; name: string };
  incident: { id: string; sourceId: string; title: string; severity: string | null; status: string | null; assignedTo: string | null } | null;
  detail: Record<string, unknown>;
}

export const EVENT_KINDS = [
  "incident.created",
  "incident.severity_raised",
  "incident.reopened",
  "incident.unassigned",
  "sla.breaching",
  "sla.breached",
  "customer.consent_revoked",
  "customer.permission_lost",
  "customer.sync_failing",
  "device.action",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_LABELS: Record<string, string> = {
  "incident.created": "New incident",
  "incident.severity_raised": "Severity raised",
  "incident.reopened": "Incident reopened",
  "incident.unassigned": "Unassigned for N minutes",
  "sla.breaching": "SLA about to breach",
  "sla.breached": "SLA breached",
  "customer.consent_revoked": "Consent revoked",
  "customer.permission_lost": "Permission lost",
  "customer.sync_failing": "Sync failing for N minutes",
  // Written by lib/data/device-actions.ts in the transaction that changes the action's state: once when Microsoft
  // accepted it, once when it ended (Succeeded, Failed, Cancelled, TimeOut; Unconfirmed when no answer came).
  "device.action": "Device response action (sent, finished)",
  test: "Test message",
};

export const SEVERITIES = ["informational", "low", "medium", "high"] as const;
export const SEVERITY_RANK: Record<string, number> = { unknown: 0, informational: 1, low: 2, medium: 3, high: 4 };

export const CHANNEL_KINDS = ["email", "teams", "webhook"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
