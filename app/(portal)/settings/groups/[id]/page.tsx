import Link from "next/link";
import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { candidateCustomers, getGroup } from "@/lib/data/groups";
import { AddMembersForm, DeleteGroupButton, GroupAnalystsForm, RemoveMemberButton } from "@/components/groups/group-controls";
import { GroupForm } from "@/components/groups/group-form";
import { InertText } from "@/components/inert-text";
import { Card, PageHeader } from "@/components/ui/primitives";
import { StatusBadge } from "@/components/ui/status-badge";

export const metadata = { title: "Customer group" };

export default async function GroupPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer();
  if (!can(viewer, "customers:assign")) notFound();
  const { id } = await params;
  const group = await getGroup(viewer, id);
  if (!group) notFound();
  const raw = (await searchParams).q;
  const q = (Array.isArray(raw) ? raw[0] : raw)?.trim().slice(0, 100) ?? "";
  const candidates = await candidateCustomers(viewer, group.id, q);
  return (
    <>
      <PageHeader
        title={<InertText value={group.name} max={80} />}
        description={
          <>
            <Link href="/settings/groups" className="underline">
              Customer groups
            </Link>{" "}
            · {group.customers.length} customer{group.customers.length === 1 ? "" : "s"} ·{" "}
            <Link href={`/incidents?group=${group.id}`} className="underline">
              Incidents of this group
            </Link>
          </>
        }
        actions={<DeleteGroupButton groupId={group.id} name={group.name} />}
      />
      <Card title="Name and description" className="mb-6">
        <GroupForm group={{ id: group.id, name: group.name, description: group.description }} />
      </Card>
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="Customers in this group">
            {group.customers.length === 0 ? (
              <p className="text-sm text-slate-500">No customers yet: add them below.</p>
            ) : (
              <ul className="divide-y divide-slate-100" data-testid="group-members">
                {group.customers.map((c) => (
                  <li key={c.id} className="flex items-center justify-between gap-3 py-2 text-sm" data-testid="group-member">
                    <Link href={`/customers/${c.id}`} className="font-medium text-blue-800 hover:underline">
                      <InertText value={c.displayName} max={100} />
                    </Link>
                    <span className="flex items-center gap-3">
                      <StatusBadge status={c.status} />
                      <RemoveMemberButton groupId={group.id} customerId={c.id} name={c.displayName} />
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Add customers">
            <form method="get" className="mb-3 flex items-end gap-2 text-sm" role="search">
              <label className="font-medium text-slate-700">
                Find customers by name
                <input name="q" defaultValue={q} className="mt-1 block w-72 rounded-md border border-slate-300 px-3 py-2 font-normal" />
              </label>
              <button type="submit" className="rounded-md bg-slate-800 px-3 py-2 text-sm font-semibold text-white">
                Search
              </button>
            </form>
            <AddMembersForm key={`${q}|${group.customers.length}`} groupId={group.id} candidates={candidates} />
          </Card>
        </div>
        <Card title="Analysts assigned to this group">
          <p className="mb-3 text-xs text-slate-500">They see every customer of the group, in addition to the customers assigned to them directly.</p>
          <GroupAnalystsForm groupId={group.id} analysts={group.analysts} />
        </Card>
      </div>
    </>
  );
}
