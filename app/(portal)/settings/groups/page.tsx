import Link from "next/link";
import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { listGroups } from "@/lib/data/groups";
import { GroupForm } from "@/components/groups/group-form";
import { InertText } from "@/components/inert-text";
import { Card, PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "Customer groups" };

export default async function GroupsPage() {
  const viewer = await requireViewer();
  if (!can(viewer, "customers:assign")) notFound();
  const groups = await listGroups(viewer);
  return (
    <>
      <PageHeader
        title="Customer groups"
        description="Group customers (service tiers, regions, teams): every queue, the overview and exports filter by group, and analysts assigned to a group see all of its customers."
      />
      <Card title="New group" className="mb-6">
        <GroupForm />
      </Card>
      <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="group-table">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th className="px-3 py-2">Group</th>
              <th className="px-3 py-2">Description</th>
              <th className="px-3 py-2 text-right">Customers</th>
              <th className="px-3 py-2 text-right">Analysts</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {groups.map((g) => (
              <tr key={g.id} data-testid="group-row">
                <td className="px-3 py-2">
                  <Link href={`/settings/groups/${g.id}`} className="font-medium text-blue-800 hover:underline">
                    <InertText value={g.name} max={80} />
                  </Link>
                </td>
                <td className="px-3 py-2 text-slate-600">
                  <InertText value={g.description} max={300} />
                </td>
                <td className="px-3 py-2 text-right tabular-nums">
                  <Link href={`/customers?group=${g.id}`} className="underline">
                    {g.customers}
                  </Link>
                </td>
                <td className="px-3 py-2 text-right tabular-nums">{g.analysts}</td>
              </tr>
            ))}
            {groups.length === 0 && (
              <tr>
                <td colSpan={4} className="px-3 py-8 text-center text-slate-500">
                  No groups yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}
