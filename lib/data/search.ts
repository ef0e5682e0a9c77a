import { assertCan, type Viewer } from "../auth/viewer.ts";
import { db } from "../db/client.ts";
import { customerScopeWhere } from "./customers.ts";
import { likeLiteral } from "./like.ts";

export interface SearchSuggestions {
  incidents: { id: string; title: string; customerName: string }[];
}

/** Type-ahead for the customer filter: a picker instead of a list, which would not do at a thousand customers. */
export async function suggestCustomers(viewer: Viewer, rawQuery: string): Promise<{ id: string; displayName: string }[]> {
  assertCan(viewer, "incidents:read");
  const q = rawQuery.trim().slice(0, 100);
  return db().customer.findMany({
    where: {
      AND: [
        customerScopeWhere(viewer),
        { tenantId: { not: null } },
        ...(q ? [{ displayName: { contains: likeLiteral(q), mode: "insensitive" as const } }] : []),
      ],
    },
    orderBy: { displayName: "asc" },
    take: 20,
    select: { id: true, displayName: true },
  });
}

const LIMIT = 8;

/** Type-ahead for the queue's search box: recent incident titles, only from the viewer's customers. */
export async function suggest(viewer: Viewer, rawQuery: string): Promise<SearchSuggestions> {
  assertCan(viewer, "incidents:read");
  const q = rawQuery.trim().slice(0, 100);
  if (q.length < 2) return { incidents: [] };
  const incidents = await db().incident.findMany({
    where: { AND: [{ customer: customerScopeWhere(viewer) }, { title: { contains: likeLiteral(q), mode: "insensitive" } }] },
    orderBy: { lastUpdateTime: "desc" },
    take: LIMIT,
    select: { id: true, title: true, customer: { select: { displayName: true } } },
  });
  return {
    // Titles are customer-sourced: cut here so a megabyte title never travels to a type-ahead.
    incidents: incidents.map((i) => ({ id: i.id, title: i.title.slice(0, 200), customerName: i.customer.displayName })),
  };
}
