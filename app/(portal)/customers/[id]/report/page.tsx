import Link from "next/link";
import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { getCustomerReport, getReportRecipients } from "@/lib/data/reports";
import { parseReportRange, previousMonth, rangeQuery } from "@/lib/reports/range";
import { InertText } from "@/components/inert-text";
import { RecipientsForm } from "@/components/sla/recipients-form";
import { ReportView } from "@/components/sla/report-view";
import { Card, PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "Customer report" };

/** A printable service report for one customer and range (?from=YYYY-MM-DD&to=YYYY-MM-DD, default last month). */
export default async function CustomerReportPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer();
  const { id } = await params;
  const parsed = parseReportRange(await searchParams);
  const range = parsed.ok ? parsed.range : previousMonth();
  const report = await getCustomerReport(viewer, id, range);
  if (!report) notFound();
  const recipients = can(viewer, "sla:manage") ? await getReportRecipients(viewer, id) : null;
  return (
    <>
      <div className="mb-2 text-sm text-slate-500 print:hidden">
        <Link href={`/customers/${id}`} className="underline">
          <InertText value={report.customer.displayName} max={100} />
        </Link>{" "}
        · Report
      </div>
      <PageHeader
        title={
          <>
            Service report: <InertText value={report.customer.displayName} max={100} />
          </>
        }
      />
      <div className="mb-6 flex flex-wrap items-end gap-4 print:hidden">
        <form method="get" className="flex flex-wrap items-end gap-3 text-xs font-medium text-slate-700" data-testid="report-range">
          <label>
            From
            <input type="date" name="from" defaultValue={range.from} className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
          </label>
          <label>
            To
            <input type="date" name="to" defaultValue={range.to} className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
          </label>
          <button type="submit" className="rounded-md bg-slate-800 px-3 py-2 text-sm font-semibold text-white">
            Show
          </button>
        </form>
        <a
          href={`/api/customers/${id}/report/csv?${rangeQuery(range)}`}
          download
          className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800"
          data-testid="report-csv"
        >
          Download CSV
        </a>
        <form method="post" action={`/api/customers/${id}/report/pdf`}>
          <input type="hidden" name="from" value={range.from} />
          <input type="hidden" name="to" value={range.to} />
          <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800" data-testid="report-pdf">
            Download PDF
          </button>
        </form>
        <span className="text-xs text-slate-500">Print this page for a paper copy.</span>
      </div>
      {!parsed.ok && (
        <p role="alert" className="mb-4 text-sm text-red-700" data-testid="report-range-error">
          {parsed.error} Showing last month instead.
        </p>
      )}
      <ReportView report={report} />
      {recipients && (
        <div className="mt-8 max-w-xl print:hidden">
          <Card title="Monthly e-mail">
            <RecipientsForm customerId={id} recipients={recipients} />
          </Card>
        </div>
      )}
    </>
  );
}
