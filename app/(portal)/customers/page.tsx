import Link from "next/link";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { customerListHref, customerListQuery, listCustomers } from "@/lib/data/customers";
import { CustomerTable } from "@/components/customers/customer-table";
import { listFilterGroups } from "@/lib/data/groups";
import { GroupSelect } from "@/components/groups/group-select";
import { Pagination } from "@/components/incidents/queue-filters";
import { ButtonLink, PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "Customers" };

export default async function CustomersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const raw = await searchParams;
  const query = customerListQuery.parse(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
  const [{ customers, total, page, pageSize }, groups] = await Promise.all([listCustomers(viewer, query), listFilterGroups(viewer)]);
  return (
    <>
      <PageHeader
        title="Customers"
        description="Every customer tenant, its consent status and what the portal was granted."
        actions={can(viewer, "customers:onboard") ? <ButtonLink href="/customers/new">Add customer</ButtonLink> : null}
      />
      <form className="mb-4 flex flex-wrap items-end gap-3" role="search" action="/customers">
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">Search</span>
          <input
            name="q"
            defaultValue={query.q ?? ""}
            placeholder="Name, domain or tenant ID"
            className="w-72 rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">Status</span>
          <select name="status" defaultValue={query.status ?? ""} className="rounded-md border border-slate-300 px-3 py-2 text-sm">
            <option value="">Any</option>
            <option value="PENDING">Pending</option>
            <option value="AWAITING_CONFIRMATION">Awaiting confirmation</option>
            <option value="CONSENTED">Consented</option>
            <option value="DECLINED">Declined</option>
            <option value="REVOKED">Revoked</option>
            <option value="ERROR">Error</option>
          </select>
        </label>
        {(groups.length > 0 || query.group) && (
          <label className="text-sm">
            <span className="block font-medium text-slate-700">Group</span>
            <GroupSelect groups={groups} selected={query.group} className="w-56 py-2" />
          </label>
        )}
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.dir} />
        <button className="rounded-md bg-slate-800 px-3 py-2 text-sm font-semibold text-white">Apply</button>
        {(query.q || query.status || query.group) && (
          <Link href="/customers" className="text-sm text-slate-600 underline">
            Clear
          </Link>
        )}
      </form>
      <CustomerTable customers={customers} query={query} />
      <Pagination href={(p) => customerListHref(query, { page: p })} page={page} pageSize={pageSize} total={total} noun="customer" />
    </>
  );
}
