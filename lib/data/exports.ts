import { assertCan, type Viewer } from "../auth/viewer.ts";
import { db } from "../db/client.ts";
import { toCsv } from "../export/csv.ts";
import { writeAudit } from "./audit.ts";
import type { AlertFilters, IncidentFilters } from "./filters.ts";
import { EXPORT_LIMIT, listAlerts, listIncidents } from "./incidents.ts";

export interface QueueExport {
  fileName: string;
  csv: string;
  /** Rows matching the filters (counted up to `COUNT_CAP`). */
  total: number;
  /** More rows matched than the file holds (`EXPORT_LIMIT`). */
  truncated: boolean;
}

const stamp = () => new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-");

/** Who exported what (issue #10 §6): the filters, the row count and whether the file was cut. No row content. */
async function auditExport(viewer: Viewer, queue: "incidents" | "alerts", f: IncidentFilters | AlertFilters, rows: number, truncated: boolean) {
  const filters = { ...f, page: undefined };
  await writeAudit(db(), { actor: `user:${viewer.userId}`, action: `export.${queue}`, detail: { rows, truncated, filters } });
}

/** The incident queue as CSV, with the same filters and the same customer scope as the page. */
export async function exportIncidents(viewer: Viewer, f: IncidentFilters): Promise<QueueExport> {
  assertCan(viewer, "incidents:read");
  const { total, totalCapped, rows } = await listIncidents(viewer, f, { limit: EXPORT_LIMIT });
  const csv = toCsv(
    [
      "Customer",
      "Incident ID",
      "Title",
      "Severity",
      "Status",
      "Alerts",
      "Assigned to",
      "Classification",
      "Determination",
      "Created",
      "Last update",
      "Microsoft portal",
      "SLA acknowledge due",
      "SLA resolve due",
      "Acknowledged at",
      "Resolved at",
    ],
    rows.map((i) => [
      i.customer.displayName,
      i.sourceId,
      i.title,
      i.severity,
      i.status,
      i.alertCount,
      i.assignedTo,
      i.classification,
      i.determination,
      i.createdTime,
      i.lastUpdateTime,
      i.webUrl,
      // ISO timestamps (csvCell), empty where there is no deadline or it has not happened.
      i.slaAckDueAt,
      i.slaResolveDueAt,
      i.acknowledgedAt,
      i.resolvedAt,
    ]),
  );
  await auditExport(viewer, "incidents", f, rows.length, totalCapped);
  return { fileName: `incidents-${stamp()}.csv`, csv, total, truncated: totalCapped };
}

/** The alert queue as CSV, with the same filters and the same customer scope as the page. */
export async function exportAlerts(viewer: Viewer, f: AlertFilters): Promise<QueueExport> {
  assertCan(viewer, "incidents:read");
  const { total, totalCapped, rows } = await listAlerts(viewer, f, { limit: EXPORT_LIMIT });
  const csv = toCsv(
    ["Customer", "Alert ID", "Title", "Severity", "Status", "Category", "Service source", "Detection source", "Assigned to", "Created", "Last update"],
    rows.map((a) => [
      a.customer.displayName,
      a.sourceId,
      a.title,
      a.severity,
      a.status,
      a.category,
      a.serviceSource,
      a.detectionSource,
      a.assignedTo,
      a.createdTime,
      a.lastUpdateTime,
    ]),
  );
  await auditExport(viewer, "alerts", f, rows.length, totalCapped);
  return { fileName: `alerts-${stamp()}.csv`, csv, total, truncated: totalCapped };
}
