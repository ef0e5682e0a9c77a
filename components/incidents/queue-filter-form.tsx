"use client";
import Link from "next/link";
import { SEVERITIES } from "@/lib/shared/canonical";
import { label } from "./badges";
import { CustomerPicker } from "./customer-picker";
import { SearchBox } from "./search-box";
import { GroupSelect, type GroupOption } from "../groups/group-select";
import { SlaFilterSelect } from "../sla/sla-cells";

/** The filters on screen (lib/data/filters.ts IncidentFilters or AlertFilters). */
interface FilterValues {
  q?: string;
  severity: readonly string[];
  status: readonly string[];
  assigned: string;
  range: string;
  sort: string;
  dir: string;
  group?: string;
}

interface Props {
  action: string;
  filters: FilterValues;
  /** The customers the filter names (the picker finds others by name). */
  customers: { id: string; displayName: string }[];
  statuses: readonly string[];
  /** Customer groups the viewer may filter by (lib/data/groups.ts listFilterGroups). */
  groups?: GroupOption[];
  /** The incident queue's SLA filter (components/sla/sla-cells.tsx); absent on the alert queue. */
  sla?: string;
  /** Queue-specific sort keys beyond last update, created and title. */
  extraSorts?: { value: string; label: string }[];
}

/**
 * A plain GET form: every filter lives in the URL, so a view can be bookmarked and shared. A client component only so
 * that the page's React payload carries the filter values instead of a second copy of the form (issue #12 §1).
 */
export function QueueFilters({ action, filters, customers, statuses, groups = [], sla, extraSorts = [] }: Props) {
  return (
    <form action={action} method="get" className="card mb-4 grid gap-3 p-4 md:grid-cols-6" role="search" aria-label="Filters">
      <label className="field-label md:col-span-2">
        Search titles
        <SearchBox defaultValue={filters.q ?? ""} />
      </label>
      <div className="field-label md:col-span-2">
        Customers
        <CustomerPicker selected={customers} />
      </div>
      {(groups.length > 0 || filters.group) && (
        <label className="field-label">
          Customer group
          <GroupSelect groups={groups} selected={filters.group} />
        </label>
      )}
      <fieldset className="field-label">
        <legend>Severity</legend>
        {SEVERITIES.map((s) => (
          <label key={s} className="check">
            <input type="checkbox" name="severity" value={s} defaultChecked={filters.severity.includes(s)} /> {label(s)}
          </label>
        ))}
      </fieldset>
      <fieldset className="field-label">
        <legend>Status</legend>
        {statuses.map((s) => (
          <label key={s} className="check">
            <input type="checkbox" name="status" value={s} defaultChecked={filters.status.includes(s)} /> {label(s)}
          </label>
        ))}
      </fieldset>
      <label className="field-label">
        Assignment
        <select name="assigned" defaultValue={filters.assigned} className="field">
          <option value="any">Anyone</option>
          <option value="unassigned">Unassigned</option>
          <option value="assigned">Assigned</option>
          <option value="me">Assigned to me</option>
        </select>
      </label>
      <label className="field-label">
        Last updated
        <select name="range" defaultValue={filters.range} className="field">
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="90d">Last 90 days</option>
          <option value="all">Any time</option>
        </select>
      </label>
      <label className="field-label">
        Sort
        <select name="sort" defaultValue={filters.sort} className="field">
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
      <label className="field-label">
        Order
        <select name="dir" defaultValue={filters.dir} className="field">
          <option value="desc">Newest first</option>
          <option value="asc">Oldest first</option>
        </select>
      </label>
      {sla !== undefined && <SlaFilterSelect value={sla} />}
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
