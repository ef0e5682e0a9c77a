import type { ReactNode } from "react";
import Link from "next/link";
import type { AlertFilters, IncidentFilters } from "@/lib/data/filters";
import { SEVERITIES } from "@/lib/shared/canonical";
import { label } from "./badges";
import { CustomerPicker } from "./customer-picker";
import { SearchBox } from "./search-box";
import { GroupSelect, type GroupOption } from "../groups/group-select";

interface Props {
  action: string;
  filters: IncidentFilters | AlertFilters;
  /** The customers the filter names (the picker finds others by name). */
  customers: { id: string; displayName: string }[];
  statuses: readonly string[];
  /** Customer groups the viewer may filter by (lib/data/groups.ts listFilterGroups). */
  groups?: GroupOption[];
  /** Queue-specific controls inside the form (the incident queue's SLA filter). */
  extra?: ReactNode;
  /** Queue-specific sort keys beyond last update, created and title. */
  extraSorts?: { value: string; label: string }[];
}

/** A plain GET form: every filter lives in the URL, so a view can be bookmarked and shared. */
export function QueueFilters({ action, filters, customers, statuses, groups = [], extra, extraSorts = [] }: Props) {
  return (
    <form
      action={action}
      method="get"
      className="mb-4 grid gap-3 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 md:grid-cols-6"
      role="search"
      aria-label="Filters"
    >
      <label className="text-xs font-medium text-slate-700 md:col-span-2">
        Search titles
        <SearchBox defaultValue={filters.q ?? ""} />
      </label>
      <div className="text-xs font-medium text-slate-700 md:col-span-2">
        Customers
        <CustomerPicker selected={customers} />
      </div>
      {(groups.length > 0 || filters.group) && (
        <label className="text-xs font-medium text-slate-700">
          Customer group
          <GroupSelect groups={groups} selected={filters.group} />
        </label>
      )}
      <fieldset className="text-xs font-medium text-slate-700">
        <legend>Severity</legend>
        {SEVERITIES.map((s) => (
          <label key={s} className="mr-2 inline-flex items-center gap-1 font-normal">
            <input type="checkbox" name="severity" value={s} defaultChecked={filters.severity.includes(s)} /> {label(s)}
          </label>
        ))}
      </fieldset>
      <fieldset className="text-xs font-medium text-slate-700">
        <legend>Status</legend>
        {statuses.map((s) => (
          <label key={s} className="mr-2 inline-flex items-center gap-1 font-normal">
            <input type="checkbox" name="status" value={s} defaultChecked={filters.status.includes(s)} /> {label(s)}
          </label>
        ))}
      </fieldset>
      <label className="text-xs font-medium text-slate-700">
        Assignment
        <select name="assigned" defaultValue={filters.assigned} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm">
          <option value="any">Anyone</option>
          <option value="unassigned">Unassigned</option>
          <option value="assigned">Assigned</option>
          <option value="me">Assigned to me</option>
        </select>
      </label>
      <label className="text-xs font-medium text-slate-700">
        Last updated
        <select name="range" defaultValue={filters.range} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm">
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="90d">Last 90 days</option>
          <option value="all">Any time</option>
        </select>
      </label>
      <label className="text-xs font-medium text-slate-700">
        Sort
        <select name="sort" defaultValue={filters.sort} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm">
          <option value="lastUpdateTime">Last update</option>
          <option value="createdTime">Created</option>
          <option value="title">Title</option>
          {extraSorts.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs font-medium text-slate-700">
        Order
        <select name="dir" defaultValue={filters.dir} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm">
          <option value="desc">Newest first</option>
          <option value="asc">Oldest first</option>
        </select>
      </label>
      {extra}
      <div className="flex items-end gap-3 md:col-span-2">
        <button type="submit" className="rounded-md bg-slate-800 px-3 py-2 text-sm font-semibold text-white">
          Apply filters
        </button>
        <Link href={action} className="text-sm text-slate-600 underline">
          Reset
        </Link>
      </div>
    </form>
  );
}

/**
 * `href(page)`: the URL of a page. `totalCapped`: the count stopped at `total` (the data layer's COUNT_CAP), so the
 * last page is not known and a full page (`rowsOnPage`) means there may be a next one.
 */
export function Pagination({
  href,
  page,
  pageSize,
  total,
  totalCapped = false,
  rowsOnPage = 0,
  noun = "result",
}: {
  href: (page: number) => string;
  page: number;
  pageSize: number;
  total: number;
  totalCapped?: boolean;
  rowsOnPage?: number;
  noun?: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const hasNext = totalCapped ? rowsOnPage === pageSize : page < pages;
  return (
    <nav className="mt-4 flex items-center justify-between text-sm text-slate-600" aria-label="Pagination">
      <span data-testid="result-count">
        {totalCapped
          ? `${total.toLocaleString("en-US")}+ ${noun}s · page ${page}`
          : `${total.toLocaleString("en-US")} ${noun}${total === 1 ? "" : "s"} · page ${page} of ${pages}`}
      </span>
      <span className="flex gap-3">
        {page > 1 && (
          <Link href={href(page - 1)} className="underline">
            Previous
          </Link>
        )}
        {hasNext && (
          <Link href={href(page + 1)} className="underline">
            Next
          </Link>
        )}
      </span>
    </nav>
  );
}

/** Downloads the queue as CSV with the filters on screen (a plain link: the route handler checks the viewer). */
export function ExportLink({ href, truncated, limit }: { href: string; truncated: boolean; limit: number }) {
  return (
    <a
      href={href}
      download
      className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50"
      data-testid="export-csv"
    >
      Export CSV{truncated ? ` (first ${limit.toLocaleString("en-US")})` : ""}
    </a>
  );
}
