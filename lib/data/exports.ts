import { assertCan, type Viewer } from "../auth/viewer.ts";
import { toCsv } from "../export/csv.ts";
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
    ]),
  );
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
  return { fileName: `alerts-${stamp()}.csv`, csv, total, truncated: totalCapped };
}
