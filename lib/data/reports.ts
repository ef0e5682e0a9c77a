import { assertCan, type Viewer } from "../auth/viewer.ts";
import { db } from "../db/client.ts";
import { GUID_RE } from "../shared/ids.ts";
import { loadCustomerReport, type CustomerReport } from "../reports/customer-report.ts";
import { htmlToPdf } from "../reports/pdf.ts";
import { previousMonth, type ReportRange } from "../reports/range.ts";
import { reportCsv } from "../reports/report-csv.ts";
import { reportHtml } from "../reports/report-html.ts";
import { customerScopeWhere } from "./customers.ts";

/**
 * Customer reports for a viewer: the customer is checked against the viewer's scope (an analyst: only their
 * customers, direct or through a group) before anything is loaded; null = not found for this viewer.
 */
export async function getCustomerReport(viewer: Viewer, customerId: string, range: ReportRange): Promise<CustomerReport | null> {
  assertCan(viewer, "incidents:read");
  if (!GUID_RE.test(customerId)) return null;
  const visible = await db().customer.findFirst({ where: { AND: [{ id: customerId }, customerScopeWhere(viewer)] }, select: { id: true } });
  if (!visible) return null;
  return loadCustomerReport(db(), customerId, range);
}

/** The report's recipients for the admin form (null when the viewer may not manage them or see the customer). */
export async function getReportRecipients(viewer: Viewer, customerId: string): Promise<string[] | null> {
  assertCan(viewer, "incidents:read");
  if (!GUID_RE.test(customerId)) return null;
  const row = await db().customer.findFirst({ where: { AND: [{ id: customerId }, customerScopeWhere(viewer)] }, select: { reportRecipients: true } });
  return row?.reportRecipients ?? null;
}

const fileStamp = (r: ReportRange) => `${r.from}_${r.to}`;

export async function customerReportCsv(viewer: Viewer, customerId: string, range: ReportRange) {
  const report = await getCustomerReport(viewer, customerId, range);
  if (!report) return null;
  return { fileName: `report-${fileStamp(range)}.csv`, csv: reportCsv(report) };
}

/** The PDF, rendered from the report this viewer may see (Chromium gets the HTML, never a session). */
export async function customerReportPdf(viewer: Viewer, customerId: string, range: ReportRange) {
  const report = await getCustomerReport(viewer, customerId, range);
  if (!report) return null;
  return { fileName: `report-${fileStamp(range)}.pdf`, pdf: await htmlToPdf(reportHtml(report)) };
}

/**
 * For the scheduled monthly e-mail (lib/reports/monthly-mail.ts) (no viewer: the system sends a customer's own report to the
 * recipients configured on it). Returns null for an unknown customer.
 */
export async function renderCustomerReportPdf(customerId: string, range: ReportRange): Promise<{ fileName: string; pdf: Buffer } | null> {
  const report = await loadCustomerReport(db(), customerId, range);
  if (!report) return null;
  return { fileName: `report-${fileStamp(range)}.pdf`, pdf: await htmlToPdf(reportHtml(report)) };
}

/**
 * Customers with report recipients and the range of last month's report, for the monthly e-mail job. It does
 * not remember what was sent: the caller dedupes (e.g. a key `report:<customerId>:<range.from>`).
 */
export async function monthlyReportsDue(
  now = new Date(),
): Promise<{ customerId: string; partnerId: string; displayName: string; recipients: string[]; range: ReportRange }[]> {
  const range = previousMonth(now);
  const rows = await db().customer.findMany({
    where: { reportRecipients: { isEmpty: false } },
    orderBy: { id: "asc" },
    select: { id: true, partnerId: true, displayName: true, reportRecipients: true },
  });
  return rows.map((c) => ({ customerId: c.id, partnerId: c.partnerId, displayName: c.displayName, recipients: c.reportRecipients, range }));
}
