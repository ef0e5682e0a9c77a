import { assertCan, type Viewer } from "../auth/viewer.ts";
import { SqlParams, sqlRows } from "../db/client.ts";
import { customerScopeSql } from "./customers.ts";
import { filterGroupsSql, type FilterGroup } from "./groups.ts";
import { activeSuppressionsSql, type ActiveSuppressions } from "./notifications.ts";
import { savedViewsSql, toSavedViewRows, type SavedViewRow, type StoredView, type ViewQueue } from "./views.ts";

/**
 * What a queue page shows around its rows: the groups its filter offers, the customers the filter names, the saved
 * views, and (incidents) the suppressions that mark rows. One statement for all of them: under load each statement
 * costs the web process about a millisecond of CPU, more than the rows it returns (docs/measurements.md, seventh pass).
 * Each part is the statement its own reader runs (listFilterGroups, listViews, suppressionOf), so the rules stay in
 * one place; tests/integration/groups-views-audit.test.ts checks the two give the same answers.
 */
export interface QueueFrame {
  groups: FilterGroup[];
  views: SavedViewRow[];
  /** The customers the filter names that the viewer may see, for the filter control. */
  customers: { id: string; displayName: string }[];
  suppressions: ActiveSuppressions;
}

interface FrameRow {
  groups: FilterGroup[];
  views: StoredView[];
  customers: { id: string; displayName: string }[];
  suppressions: (Omit<ActiveSuppressions["rows"][number], "until" | "endedAt"> & { until: string; endedAt: string | null })[];
  members: ActiveSuppressions["members"];
}

/** One part as a JSON array in its own order (json_agg's ORDER BY: a sorted subquery alone is not a promise). */
function part(sql: string, order: string): string {
  return `(SELECT coalesce(json_agg(x ORDER BY ${order}), '[]') FROM (${sql}) x)`;
}

export async function loadQueueFrame(viewer: Viewer, queue: ViewQueue, namedCustomerIds: string[]): Promise<QueueFrame> {
  assertCan(viewer, "incidents:read");
  const now = new Date();
  const p = new SqlParams();
  const named = namedCustomerIds.length
    ? `SELECT c.id, c."displayName" FROM "Customer" c WHERE ${customerScopeSql(viewer, p).join(" AND ")} AND c.id = ANY(${p.add(namedCustomerIds)}::uuid[])`
    : null;
  const suppressions = queue === "incidents" ? activeSuppressionsSql(viewer.partnerId, now, p) : null;
  const [row] = await sqlRows<FrameRow>(
    `SELECT ${part(filterGroupsSql(viewer, p), "x.name, x.id")} AS groups,
        ${part(savedViewsSql(viewer, queue, p), "x.name, x.id")} AS views,
        ${named ? part(named, `x."displayName", x.id`) : "'[]'::json"} AS customers,
        ${suppressions ? part(suppressions.suppressions, `x."createdAt", x.id`) : "'[]'::json"} AS suppressions,
        ${suppressions ? part(suppressions.members, `x."groupId", x."customerId"`) : "'[]'::json"} AS members`,
    p.values,
  );
  const frame = row!;
  return {
    groups: frame.groups,
    views: toSavedViewRows(viewer, queue, frame.views),
    customers: frame.customers,
    suppressions: {
      // JSON carries timestamps as text.
      rows: frame.suppressions.map((s) => ({ ...s, until: new Date(s.until), endedAt: s.endedAt ? new Date(s.endedAt) : null })),
      members: frame.members,
      now,
    },
  };
}
