import Link from "next/link";
import { requireViewer } from "@/lib/auth/session";
import { pageOnly, parseFilters } from "@/lib/data/filters";
import { getOverview } from "@/lib/data/health";
import { listFilterGroups } from "@/lib/data/groups";
import { GroupFilterForm } from "@/components/groups/group-select";
import { slaBreachedTotal, slaBreachesByCustomer } from "@/lib/data/sla";
import { OverviewTable } from "@/components/customers/overview-table";
import { Pagination } from "@/components/incidents/queue-filters";
import { InertText } from "@/components/inert-text";
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
        {attention.length === 0 ? (
          <p className="text-sm text-slate-600">Nothing needs attention: every tenant is healthy and has no open high-severity incident.</p>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="attention-list">
            {attention.map((r) => (
              <li key={r.id} className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm">
                <Link href={`/customers/${r.id}`} className="font-medium text-blue-800 hover:underline">
                  <InertText value={r.displayName} max={100} />
                </Link>
                <span className="text-slate-700">{r.problem ?? `${r.open.high} open high-severity incident${r.open.high === 1 ? "" : "s"}`}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <OverviewTable
        rows={rows.map((r) => ({
          id: r.id,
          name: r.displayName,
          status: r.status,
          open: { high: r.open.high, medium: r.open.medium, low: r.open.low, informational: r.open.informational },
          ...(breaches.has(r.id) ? { sla: breaches.get(r.id) } : {}),
          ...(r.problem ? { problem: r.problem } : r.waiting ? { waiting: r.waiting } : {}),
        }))}
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
  const figure = <span className={`text-2xl font-semibold tabular-nums ${tone ?? "text-slate-900"}`}>{value.toLocaleString("en-US")}</span>;
  return (
    <div className="card px-3 py-2">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
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
