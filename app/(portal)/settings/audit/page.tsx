import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { AUDIT_EXPORT_LIMIT, auditQueryString, listAudit, parseAuditQuery } from "@/lib/data/audit-log";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditTable } from "@/components/audit/audit-table";
import { ExportLink, Pagination } from "@/components/incidents/queue-filters";
import { PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "Audit log" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  if (!can(viewer, "audit:read")) notFound();
  const query = parseAuditQuery(await searchParams);
  const log = await listAudit(viewer, query);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what: consent, sign-ins and staff access, assignments and groups, triage, bulk jobs, notification rules and channels, exports and SIEM pulls. Times are UTC."
        actions={<ExportLink href={`/api/audit/export${auditQueryString(query, { page: 1 })}`} truncated={log.totalCapped} limit={AUDIT_EXPORT_LIMIT} />}
      />
      <AuditFilters query={query} actors={log.actors} actions={log.actions} customer={log.customer} />
      <AuditTable rows={log.rows} />
      <Pagination
        href={(page) => `/settings/audit${auditQueryString(query, { page })}`}
        page={log.page}
        pageSize={log.pageSize}
        total={log.total}
        totalCapped={log.totalCapped}
        rowsOnPage={log.rows.length}
        noun="event"
      />
    </>
  );
}
