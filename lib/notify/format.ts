import { MACHINE_ACTION_LABELS } from "../config/response-actions.ts";
import { escapeHtml } from "../shared/html.ts";
import { EVENT_LABELS, type NotifyItem } from "./model.ts";

/**
 * Messages built from tenant text (titles, customer names, assignees are attacker-controlled): every format makes
 * that text inert in its own syntax. E-mail: HTML-escaped in the HTML part, plain in the text part, no line breaks
 * in the subject. Teams: Adaptive Card TextBlocks render markdown, so markdown and link syntax are escaped and URLs
 * defanged. Webhook: JSON.stringify, nothing else.
 */
const MAX = 300;

/** Control characters out (they can fake lines in logs and subjects), long text cut with a marker. */
export function plain(value: string | null | undefined, max = MAX): string {
  const s = String(value ?? "").replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, " ");
  return s.length > max ? `${s.slice(0, max)}… [cut]` : s;
}

/**
 * Text safe inside an Adaptive Card TextBlock or Fact (Teams renders a markdown subset there): every markdown
 * punctuation is backslash-escaped, and scheme separators and "www." are broken with a zero-width
 * space (U+200B) so Teams does not turn tenant text into a link.
 */
export function escapeCardMarkdown(value: string): string {
  return plain(value)
    .replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`)
    .replace(/:\/\//g, ":\u200b//")
    .replace(/\bwww\\\./gi, (m) => m.replace("www", "w\u200bww"));
}

export function severityLabel(s: string | null | undefined): string {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : "Unknown";
}

/** A device response action's label, options, status and device (tenant text: the device name is hostile). */
function deviceAction(item: NotifyItem) {
  const d = item.detail;
  const type = String(d.type ?? "");
  const options = d.options && typeof d.options === "object" ? Object.values(d.options as Record<string, unknown>).map(String) : [];
  return {
    label: `${MACHINE_ACTION_LABELS[type] ?? plain(type, 60)}${options.length ? ` (${plain(options.join(", "), 60)})` : ""}`,
    status: plain(String(d.status ?? ""), 40),
    device: plain(String(d.deviceName ?? d.machineId ?? "(unknown device)"), 120),
    requestedBy: plain(String(d.requestedByEmail ?? ""), 120),
    comment: plain(String(d.comment ?? ""), 300),
    submitted: d.phase === "submitted",
  };
}

/** The rows a device action adds to an e-mail table and a card's facts. */
function deviceFacts(item: NotifyItem): [string, string][] {
  if (item.kind !== "device.action") return [];
  const a = deviceAction(item);
  return [
    ["Device", a.device],
    ["Action", a.label],
    ["Status", a.status],
    ["Asked by", a.requestedBy],
    ["Comment", a.comment],
  ];
}

export function headline(item: NotifyItem): string {
  const what = EVENT_LABELS[item.kind] ?? item.kind;
  if (item.kind === "device.action") {
    const a = deviceAction(item);
    return `${a.label} ${a.submitted ? "sent" : a.status}: ${plain(a.device, 120)}`;
  }
  if (item.incident) return `${what}: ${severityLabel(item.incident.severity)} — ${plain(item.incident.title, 120)}`;
  return `${what}: ${plain(item.customer.name, 120)}`;
}

function detailLine(item: NotifyItem): string {
  const d = item.detail;
  switch (item.kind) {
    case "incident.severity_raised":
      return `Severity raised from ${severityLabel(String(d.from ?? ""))} to ${severityLabel(String(d.to ?? ""))}.`;
    case "incident.reopened":
      return "The incident was resolved and is open again.";
    case "incident.unassigned":
      return `Nobody has taken this incident for ${Number(d.minutes ?? 0)} minutes.`;
    case "customer.sync_failing":
      return `Sync has been failing for ${Number(d.minutes ?? 0)} minutes${d.error ? `: ${plain(String(d.error), 200)}` : "."}`;
    case "customer.consent_revoked":
      return "The customer's consent was revoked: nothing syncs until it is granted again.";
    case "customer.permission_lost":
      return `A required permission is missing${d.missing ? `: ${plain(String(d.missing), 200)}` : "."}`;
    case "sla.breaching":
      return `The SLA is about to be breached${d.dueAt ? ` (due ${String(d.dueAt)})` : ""}.`;
    case "sla.breached":
      return `The SLA was breached${d.dueAt ? ` (was due ${String(d.dueAt)})` : ""}.`;
    case "device.action": {
      const a = deviceAction(item);
      if (a.submitted) return `${a.requestedBy} asked Microsoft Defender for Endpoint for ${a.label} on ${a.device}; Microsoft accepted it (${a.status}).`;
      if (a.status === "Unconfirmed")
        return `${a.label} on ${a.device}: no answer from Microsoft, which may have acted. Check the device in Microsoft Defender.`;
      return `${a.label} on ${a.device}, asked by ${a.requestedBy}, ended: ${a.status}.`;
    }
    case "test":
      return "This is a test message from the Defender Partner Portal. If you can read it, the channel works.";
    default:
      return "";
  }
}

export function incidentUrl(appUrl: string, item: NotifyItem): string {
  return item.incident ? `${appUrl}/incidents/${item.incident.id}` : `${appUrl}/customers/${item.customer.id}`;
}

// --- E-mail ---------------------------------------------------------------------------------------------------

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

export function formatEmail(items: NotifyItem[], appUrl: string): EmailMessage {
  const subject = plain(items.length === 1 ? headline(items[0]!) : `${items.length} notifications: ${headline(items[0]!)} and more`, 200);
  const textParts = items.map((i) =>
    [
      headline(i),
      `Customer: ${plain(i.customer.name)}`,
      ...deviceFacts(i).map(([k, v]) => `${k}: ${v}`),
      ...(i.incident
        ? [
            `Incident: #${plain(i.incident.sourceId, 80)} ${plain(i.incident.title)}`,
            `Severity: ${severityLabel(i.incident.severity)}`,
            `${i.kind === "device.action" ? "Incident status" : "Status"}: ${plain(i.incident.status, 40)}`,
          ]
        : []),
      detailLine(i),
      `Open: ${incidentUrl(appUrl, i)}`,
    ]
      .filter(Boolean)
      .join("\n"),
  );
  const htmlParts = items.map((i) => {
    const rows: [string, string][] = [["Customer", plain(i.customer.name)], ...deviceFacts(i)];
    if (i.incident) {
      rows.push(["Incident", `#${plain(i.incident.sourceId, 80)} ${plain(i.incident.title)}`]);
      rows.push(["Severity", severityLabel(i.incident.severity)]);
      rows.push([i.kind === "device.action" ? "Incident status" : "Status", plain(i.incident.status, 40)]);
    }
    return `<h2 style="font:600 16px sans-serif">${escapeHtml(headline(i))}</h2>
<table style="font:14px sans-serif">${rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>
<p style="font:14px sans-serif">${escapeHtml(detailLine(i))}</p>
<p><a href="${escapeHtml(incidentUrl(appUrl, i))}">Open in the portal</a></p>`;
  });
  return {
    subject,
    text: `${textParts.join("\n\n---\n\n")}\n`,
    html: `<!doctype html><html><body>${htmlParts.join("<hr>")}</body></html>`,
  };
}

// --- Teams (Adaptive Card via a Workflows webhook) -----------------------------------------------------------------

/**
 * The body a Teams Workflows webhook ("Post to a channel when a webhook request is received") takes: a message
 * with one Adaptive Card attachment. Microsoft Learn, "Create Incoming Webhooks" / "Send Adaptive Cards using an
 * Incoming Webhook" (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook)
 * and "Create incoming webhooks with Workflows for Microsoft Teams" (https://support.microsoft.com/office/8ae491c7-0394-4861-ba59-055e33f75498):
 * { "type": "message", "attachments": [ { "contentType": "application/vnd.microsoft.card.adaptive", "content": <card> } ] }.
 */
export function formatTeamsCard(items: NotifyItem[], appUrl: string): Record<string, unknown> {
  const body: Record<string, unknown>[] = [];
  if (items.length > 1) body.push({ type: "TextBlock", text: `${items.length} notifications`, weight: "Bolder", size: "Large", wrap: true });
  for (const i of items.slice(0, 20)) {
    body.push({ type: "TextBlock", text: escapeCardMarkdown(headline(i)), weight: "Bolder", size: "Medium", wrap: true, separator: items.length > 1 });
    const facts = [{ title: "Customer", value: escapeCardMarkdown(i.customer.name) }];
    for (const [title, value] of deviceFacts(i)) facts.push({ title, value: escapeCardMarkdown(value) });
    if (i.incident) {
      facts.push({ title: "Incident", value: `\\#${escapeCardMarkdown(i.incident.sourceId)}` });
      facts.push({ title: "Severity", value: escapeCardMarkdown(severityLabel(i.incident.severity)) });
      facts.push({ title: i.kind === "device.action" ? "Incident status" : "Status", value: escapeCardMarkdown(i.incident.status ?? "") });
    }
    body.push({ type: "FactSet", facts });
    const line = detailLine(i);
    if (line) body.push({ type: "TextBlock", text: escapeCardMarkdown(line), wrap: true });
  }
  if (items.length > 20) body.push({ type: "TextBlock", text: `… and ${items.length - 20} more`, wrap: true });
  const card = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body,
    // The only link in the card is the portal's own, built here, never from tenant text.
    actions: [{ type: "Action.OpenUrl", title: "Open in the portal", url: incidentUrl(appUrl, items[0]!) }],
  };
  return { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }] };
}

// --- Generic webhook ---------------------------------------------------------------------------------------------

/** Version 1 of the webhook body (README "Webhook payload"). Additive changes keep "1"; anything else bumps it. */
export function formatWebhook(deliveryId: string, type: string, items: NotifyItem[], appUrl: string, sentAt = new Date()): Record<string, unknown> {
  return {
    version: "1",
    id: deliveryId,
    type,
    sentAt: sentAt.toISOString(),
    events: items.map((i) => ({
      kind: i.kind,
      occurredAt: i.occurredAt.toISOString(),
      customer: { id: i.customer.id, name: i.customer.name },
      incident: i.incident
        ? {
            id: i.incident.id,
            sourceId: i.incident.sourceId,
            title: i.incident.title,
            severity: i.incident.severity,
            status: i.incident.status,
            assignedTo: i.incident.assignedTo,
          }
        : null,
      detail: i.detail,
      portalUrl: incidentUrl(appUrl, i),
    })),
  };
}
