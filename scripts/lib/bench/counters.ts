/**
 * The simulator's request counters (GET /_sim/requests): `{ counterName: { tenantId: hits } }`. Data API calls are
 * counted per endpoint (`graph.incidents.list`, …) and token requests per resource (`token:{resource}`).
 */
export type SimCounters = Record<string, Record<string, number>>;

/** The list endpoints a sync reads, and the feed each one serves. */
export const LIST_ENDPOINTS: Record<string, "incidents" | "alerts"> = {
  "graph.incidents.list": "incidents",
  "graph.alerts_v2.list": "alerts",
  "xdr.incidents.list": "incidents",
  "mde.alerts.list": "alerts",
};

export function counterDelta(after: SimCounters, before: SimCounters): SimCounters {
  const out: SimCounters = {};
  for (const [name, byTenant] of Object.entries(after)) {
    for (const [tenant, hits] of Object.entries(byTenant)) {
      const d = hits - (before[name]?.[tenant] ?? 0);
      if (d !== 0) (out[name] ??= {})[tenant] = d;
    }
  }
  return out;
}

export interface PerTenantFigure {
  /** (tenant, endpoint-or-resource) pairs measured. */
  pairs: number;
  mean: number;
  max: number;
  /** How many pairs are above `target`. */
  overTarget: number;
}

/**
 * Hits per tenant per counter, over the counters `names` selects and the benchmark's own tenants. A counter counts for
 * every tenant (0 when that tenant never hit it) once any tenant hit it.
 */
export function perTenant(counters: SimCounters, tenantIds: readonly string[], names: (name: string) => boolean, target: number): PerTenantFigure {
  const values: number[] = [];
  for (const [name, byTenant] of Object.entries(counters)) {
    if (!names(name)) continue;
    for (const t of tenantIds) values.push(byTenant[t] ?? 0);
  }
  return summarize(values, target);
}

export function summarize(values: readonly number[], target: number): PerTenantFigure {
  if (values.length === 0) return { pairs: 0, mean: NaN, max: NaN, overTarget: 0 };
  return {
    pairs: values.length,
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    max: Math.max(...values),
    overTarget: values.filter((v) => v > target).length,
  };
}

export const isListEndpoint = (name: string) => name in LIST_ENDPOINTS;
export const isTokenCounter = (name: string) => name.startsWith("token:");

/** Tenants whose counters exceed `target` for a selected counter, worst first (for the investigation notes). */
export function worstTenants(
  counters: SimCounters,
  names: (name: string) => boolean,
  target: number,
  limit = 5,
): { tenantId: string; counter: string; hits: number }[] {
  const out: { tenantId: string; counter: string; hits: number }[] = [];
  for (const [name, byTenant] of Object.entries(counters)) {
    if (!names(name)) continue;
    for (const [tenantId, hits] of Object.entries(byTenant)) if (hits > target) out.push({ tenantId, counter: name, hits });
  }
  return out.sort((a, b) => b.hits - a.hits).slice(0, limit);
}
