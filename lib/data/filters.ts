import { z } from "zod";
import { ALERT_STATUSES, INCIDENT_STATUSES, SEVERITIES } from "../sync/model.ts";

/** Query-string filters shared by the incident and alert queues. Unknown or bad values fall back, never throw. */
const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : (Array.isArray(v) ? v : v.split(",")).filter((x): x is T => (values as readonly string[]).includes(x))));

const uuidList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : v.split(",")).filter((x) => /^[0-9a-f-]{36}$/i.test(x)).slice(0, 200));

export const RANGES = { "24h": 24, "7d": 24 * 7, "30d": 24 * 30, "90d": 24 * 90, all: null } as const;

/** The deepest page a list offers: an offset beyond it costs the database and serves no person. */
export const MAX_PAGE = 10_000;

/** A page number from the query string: bad values fall back to the first page, huge ones to MAX_PAGE. */
export const pageParam = z.coerce
  .number()
  .catch(1)
  .transform((n) => (Number.isFinite(n) && n >= 1 ? Math.min(Math.floor(n), MAX_PAGE) : n > MAX_PAGE ? MAX_PAGE : 1));

/** One customer group: it narrows the viewer's customers (lib/data/groups.ts), never widens them. Not a GUID: no filter. */
export const groupParam = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
  .transform((v) => v.toLowerCase())
  .optional()
  .catch(undefined);

const common = {
  customer: uuidList,
  group: groupParam,
  severity: list(SEVERITIES as unknown as readonly [string, ...string[]]),
  assigned: z.enum(["any", "unassigned", "assigned", "me"]).default("any").catch("any"),
  range: z
    .enum(Object.keys(RANGES) as [keyof typeof RANGES, ...(keyof typeof RANGES)[]])
    .default("30d")
    .catch("30d"),
  q: z.string().trim().max(200).optional().catch(undefined),
  sort: z.enum(["lastUpdateTime", "createdTime", "title"]).default("lastUpdateTime").catch("lastUpdateTime"),
  dir: z.enum(["asc", "desc"]).default("desc").catch("desc"),
  page: pageParam,
};

/** A page number alone (the overview's table), and the overview's group filter. */
export const pageOnly = z.object({ page: pageParam, group: groupParam });

/** SLA filters of the incident queue: a running deadline already passed, or passing within the hour. */
export const SLA_FILTERS = ["any", "breached", "breaching"] as const;

export const incidentFilters = z.object({
  ...common,
  status: list(INCIDENT_STATUSES as unknown as readonly [string, ...string[]]),
  sla: z.enum(SLA_FILTERS).default("any").catch("any"),
  // "slaNextDueAt" sorts by time left on the earliest running SLA clock (incidents without one last).
  sort: z.enum(["lastUpdateTime", "createdTime", "title", "slaNextDueAt"]).default("lastUpdateTime").catch("lastUpdateTime"),
});
export const alertFilters = z.object({ ...common, status: list(ALERT_STATUSES as unknown as readonly [string, ...string[]]) });
export type IncidentFilters = z.infer<typeof incidentFilters>;
export type AlertFilters = z.infer<typeof alertFilters>;

export const PAGE_SIZE = 50;

/** searchParams (string | string[]) → filters. */
export function parseFilters<S extends z.ZodType>(schema: S, params: Record<string, string | string[] | undefined>): z.infer<S> {
  return schema.parse(params);
}

/** Filters → a query string, dropping defaults, so shared URLs stay short. */
export function filtersToQuery(f: Partial<IncidentFilters>, override: Record<string, string | number | string[] | undefined> = {}): string {
  const p = new URLSearchParams();
  const merged: Record<string, unknown> = { ...f, ...override };
  for (const [k, v] of Object.entries(merged)) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) {
      if (v.length) p.set(k, v.join(","));
    } else if (!(
      (k === "assigned" && v === "any") ||
      (k === "sla" && v === "any") ||
      (k === "range" && v === "30d") ||
      (k === "sort" && v === "lastUpdateTime") ||
      (k === "dir" && v === "desc") ||
      (k === "page" && v === 1)
    )) {
      p.set(k, String(v));
    }
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}
