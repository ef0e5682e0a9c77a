import { escapeHtml as esc } from "@/lib/shared/html";
import { BULK_FORM_ID } from "../bulk/row-select";
import { inertHtml } from "../inert-text";
import { formatDateTime, formatUtcMinute } from "../ui/primitives";
import { label, severityClass } from "./badges";
import type { AlertRowView, IncidentRowView } from "./queue-rows";

/*
 * The queues' rows as one HTML string each, written into their tables' bodies (incident-table.tsx, alert-table.tsx).
 *
 * Why not React elements: 50 rows of 15 to 25 elements each were the largest part of a queue's server CPU, rendered to
 * HTML element by element (issue #12 §1, docs/measurements.md). The rows carry no React state or handlers (plain
 * checkboxes of the bulk form, plain links opened by the table's one handler), so markup loses nothing. Every value
 * from a tenant goes through `esc` or `inertHtml`; tests/e2e/attacks.spec.ts (hostile titles) and
 * tests/unit/queue-rows-html.test.ts check it. Loops and `#__NOINLINE__` calls: components/ui/columns.ts says why.
 */

export function incidentRowsHtml(rows: readonly IncidentRowView[]): string {
  if (rows.length === 0) return '<tr><td colspan="11" class="py-8 text-center text-slate-500">No incidents match these filters.</td></tr>';
  let html = "";
  for (const row of rows) html += /*#__NOINLINE__*/ incidentRowHtml(row);
  return html;
}

// Short classes (app/globals.css): one per row.
const STATUS_TONE: Record<string, string> = { resolved: "dim", inProgress: "wip" };

// No test ids per row or cell (50 rows a page): the rows are INCIDENT_ROWS (components/bulk/row-select.tsx), their
// cells found by column.
function incidentRowHtml(i: IncidentRowView): string {
  const tone = STATUS_TONE[i.status];
  const suppressed = i.suppressedBy
    ? `<span class="suppressed" title="${esc(i.suppressedNote ?? "")}" data-testid="suppressed-badge">Notifications suppressed by ${esc(i.suppressedBy)}</span>`
    : "";
  return (
    "<tr>" +
    `<td><input type="checkbox" name="ids" value="${esc(i.id)}" form="${BULK_FORM_ID}" aria-label="Select incident #${esc(i.no)}"/></td>` +
    `<td><span class="${severityClass(i.severity)}">${esc(label(i.severity))}</span></td>` +
    `<td><a href="/incidents/${esc(i.id)}">${inertHtml(i.title, 200)}</a><div>#${esc(i.no)}</div>${suppressed}</td>` +
    `<td>${inertHtml(i.customer, 100)}</td>` +
    `<td${tone ? ` class="${tone}"` : ""}>${esc(label(i.status))}</td>` +
    `<td>${i.alerts}</td>` +
    `<td>${inertHtml(i.assignedTo, 100)}</td>` +
    /*#__NOINLINE__*/ classificationHtml(i) +
    `<td>${formatUtcMinute(i.updated)}</td>` +
    /*#__NOINLINE__*/ slaCellsHtml(i) +
    "</tr>"
  );
}

function classificationHtml(i: IncidentRowView): string {
  if (!i.classification && !i.determination) return '<td class="muted">Not classified</td>';
  const classification = i.classification ? esc(label(i.classification)) : '<span class="muted">Not classified</span>';
  return `<td>${classification}${i.determination ? `<div>${esc(label(i.determination))}</div>` : ""}</td>`;
}

/** The next running deadline and the time left, or how long ago it passed (breached); or how the clocks ended. */
function slaCellsHtml(i: IncidentRowView): string {
  switch (i.slaState) {
    case "none":
      return '<td class="dim">No SLA</td><td></td>';
    case "met":
      return '<td class="dim">—</td><td><span class="sla-met">Met</span></td>';
    case "missed":
      return '<td class="dim">—</td><td><span class="sla-missed">Missed (done late)</span></td>';
    default: {
      const left = esc(i.slaLeft ?? "");
      const cell =
        i.slaState === "breached"
          ? `<span class="sla-breached" data-testid="sla-breached">Breached ${left} ago</span>`
          : i.slaState === "soon"
            ? `<span class="sla-soon">${left} left</span>`
            : `${left} left`;
      return `<td>${formatUtcMinute(i.slaDue)}<div>to ${esc(i.slaClock ?? "")}</div></td><td>${cell}</td>`;
    }
  }
}

export function alertRowsHtml(rows: readonly AlertRowView[]): string {
  if (rows.length === 0) return '<tr><td colspan="7" class="py-8 text-center text-slate-500">No alerts match these filters.</td></tr>';
  let html = "";
  for (const row of rows) html += /*#__NOINLINE__*/ alertRowHtml(row);
  return html;
}

function alertRowHtml(a: AlertRowView): string {
  const category = a.category ? `<div class="sub txt">${inertHtml(a.category, 80)}</div>` : "";
  return (
    '<tr data-testid="alert-row">' +
    `<td><span data-testid="severity" class="${severityClass(a.severity)}">${esc(label(a.severity))}</span></td>` +
    `<td class="max-w-md"><a href="/alerts/${esc(a.id)}" class="link txt">${inertHtml(a.title, 200)}</a>${category}</td>` +
    `<td class="txt">${inertHtml(a.customer, 100)}</td>` +
    `<td>${esc(label(a.status))}</td>` +
    `<td class="xs">${esc(label(a.source))}</td>` +
    `<td class="xs txt">${inertHtml(a.assignedTo, 100)}</td>` +
    `<td class="nw">${formatDateTime(a.updated)}</td>` +
    "</tr>"
  );
}
