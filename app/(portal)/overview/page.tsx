import Link from "next/link";
import { requireViewer } from "@/lib/auth/session";
import { pageOnly, parseFilters } from "@/lib/data/filters";
import { getOverview } from "@/lib/data/health";
import { listFilterGroups } from "@/lib/data/groups";
import { GroupFilterForm } from "@/components/groups/group-select";
import { slaBreachedTotal, slaBreachesByCustomer } from "@/lib/data/sla";
import { AttentionList, OverviewTable } from "@/components/customers/overview-table";
import { OVERVIEW_ROW_FIELDS, type OverviewRowView } from "@/components/customers/overview-rows";
import { toColumns } from "@/components/ui/columns";
import { Pagination } from "@/components/incidents/queue-filters";
import { Card, PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "Overview" };

const SEV = ["high", "medium", "low", "informational"] as const;

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const { page: requested, group } = parseFilters(pageOnly, await searchParams);
  const [{ rows, attention, totals, summary, page, pageSize }, groups] = await Promise.all([
    getOverview(viewer, { page: requested, group }),
    listFilterGroups(viewer),
  ]);
  const [breaches, breachedTotal] = await Promise.all([
    slaBreachesByCustomer(
      viewer,
      rows.map((r) => r.id),
    ),
    slaBreachedTotal(viewer),
  ]);
  // Links into the queue and the next pages keep the group filter.
  const g = group ? `&group=${group}` : "";
  return (
    <>
      <PageHeader title="Overview" description="Open incidents per customer, and the customers that need attention first." />
      <GroupFilterForm action="/overview" groups={groups} selected={group} />
      <dl className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-8" data-testid="overview-totals">
        <Total label="Customers" value={summary.customers} />
        <Total label="Need attention" value={summary.needAttention} tone={summary.needAttention ? "text-red-700" : undefined} />
        <Total label="Sync or consent failing" value={summary.failing} tone={summary.failing ? "text-red-700" : undefined} />
        {SEV.map((s) => (
          <Total key={s} label={`Open ${s}`} value={totals[s]} href={`/incidents?severity=${s}&status=active,inProgress&range=all${g}`} />
        ))}
        <Total
          label="SLA breached"
          value={breachedTotal}
          tone={breachedTotal ? "text-red-700" : undefined}
          href="/incidents?sla=breached&range=all&sort=slaNextDueAt&dir=asc"
        />
      </dl>
      <Card title="Needs attention" className="mb-6">
        <AttentionList rows={attention.map((r) => ({ id: r.id, name: r.displayName, high: r.open.high, ...(r.problem ? { problem: r.problem } : {}) }))} />
      </Card>
      <OverviewTable
        columns={toColumns(
          rows.map((r): OverviewRowView => ({
            id: r.id,
            name: r.displayName,
            status: r.status,
            high: r.open.high,
            medium: r.open.medium,
            low: r.open.low,
            informational: r.open.informational,
            ...(breaches.get(r.id)?.breached ? { breached: breaches.get(r.id)!.breached } : {}),
            ...(breaches.get(r.id)?.breaching ? { breaching: breaches.get(r.id)!.breaching } : {}),
            ...(r.problem ? { problem: r.problem } : r.waiting ? { waiting: r.waiting } : {}),
          })),
          OVERVIEW_ROW_FIELDS,
        )}
      />
      <Pagination
        href={(p) => (p > 1 ? `/overview?page=${p}${g}` : `/overview${g.replace("&", "?")}`)}
        page={page}
        pageSize={pageSize}
        total={summary.customers}
        noun="customer"
      />
    </>
  );
}

function Total({ label, value, tone, href }: { label: string; value: number; tone?: string; href?: string }) {
  const figure = <span className={`total-figure ${tone ?? "text-slate-900"}`}>{value.toLocaleString("en-US")}</span>;
  return (
    <div className="card px-3 py-2">
      <dt className="total-label">{label}</dt>
      <dd>
        {href && value > 0 ? (
          <Link href={href} className="hover:underline">
            {figure}
          </Link>
        ) : (
          figure
        )}
      </dd>
    </div>
  );
}
