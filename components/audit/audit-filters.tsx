import Link from "next/link";
import { OTHER_ACTORS, type AuditQuery } from "@/lib/data/audit-log";
import { CustomerPicker } from "../incidents/customer-picker";

/** `<input type="datetime-local">` wants "YYYY-MM-DDTHH:MM" (the page reads it as UTC). */
const local = (d: Date | undefined) => (d ? d.toISOString().slice(0, 16) : "");

/** The audit log's filters: a plain GET form, so a filtered log is a URL an admin can share. */
export function AuditFilters({
  query,
  actors,
  actions,
  customer,
}: {
  query: AuditQuery;
  actors: { id: string; name: string; email: string }[];
  actions: string[];
  customer: { id: string; displayName: string } | null;
}) {
  return (
    <form
      action="/settings/audit"
      method="get"
      role="search"
      aria-label="Audit filters"
      className="mb-4 grid gap-3 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 md:grid-cols-5"
    >
      <label className="text-xs font-medium text-slate-700">
        Actor
        <select
          name="actor"
          defaultValue={query.actor ?? ""}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
          data-testid="audit-actor"
        >
          <option value="">Anyone</option>
          {Object.entries(OTHER_ACTORS).map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
          {actors.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.email})
            </option>
          ))}
        </select>
      </label>
      <div className="text-xs font-medium text-slate-700">
        Customer
        {/* One customer: the picker submits `customer`; the data layer reads the first. */}
        <CustomerPicker selected={customer ? [customer] : []} />
      </div>
      <label className="text-xs font-medium text-slate-700">
        Action
        <select
          name="action"
          defaultValue={query.action ?? ""}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
          data-testid="audit-action"
        >
          <option value="">Any action</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs font-medium text-slate-700">
        From (UTC)
        <input
          type="datetime-local"
          name="from"
          defaultValue={local(query.from)}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
        />
      </label>
      <label className="text-xs font-medium text-slate-700">
        To (UTC)
        <input type="datetime-local" name="to" defaultValue={local(query.to)} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
      </label>
      <div className="flex items-end gap-3 md:col-span-5">
        <button type="submit" className="rounded-md bg-slate-800 px-3 py-2 text-sm font-semibold text-white">
          Apply filters
        </button>
        <Link href="/settings/audit" className="text-sm text-slate-600 underline">
          Reset
        </Link>
      </div>
    </form>
  );
}
