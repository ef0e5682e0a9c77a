import Link from "next/link";

export interface GroupOption {
  id: string;
  name: string;
  customers: number;
}

/** The group filter: a `group` field of the surrounding GET form (only groups the viewer may pick are offered). */
export function GroupSelect({ groups, selected, className = "" }: { groups: GroupOption[]; selected?: string; className?: string }) {
  const known = !selected || groups.some((g) => g.id === selected);
  return (
    <select name="group" defaultValue={selected ?? ""} data-testid="group-filter" className={`field ${className}`}>
      <option value="">All groups</option>
      {!known && <option value={selected}>Unknown group</option>}
      {groups.map((g) => (
        <option key={g.id} value={g.id}>
          {g.name} ({g.customers})
        </option>
      ))}
    </select>
  );
}

/** A standalone group filter (overview, customer list): a small GET form that keeps the page's other parameters. */
export function GroupFilterForm({
  action,
  groups,
  selected,
  keep = {},
}: {
  action: string;
  groups: GroupOption[];
  selected?: string;
  keep?: Record<string, string | undefined>;
}) {
  if (groups.length === 0 && !selected) return null;
  return (
    <form action={action} method="get" className="mb-4 flex flex-wrap items-end gap-3" aria-label="Group filter">
      {Object.entries(keep).map(([k, v]) => (v ? <input key={k} type="hidden" name={k} value={v} /> : null))}
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Customer group</span>
        <GroupSelect groups={groups} selected={selected} className="w-64" />
      </label>
      <button type="submit" className="rounded-md bg-slate-800 px-3 py-2 text-sm font-semibold text-white">
        Apply
      </button>
      {selected && (
        <Link href={action} className="text-sm text-slate-600 underline">
          All groups
        </Link>
      )}
    </form>
  );
}
