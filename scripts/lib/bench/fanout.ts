import { serverConfig } from "../../../lib/config/env.ts";
import { MicrosoftApiClient } from "../../../lib/microsoft/api-client.ts";
import { TenantTokenClient } from "../../../lib/microsoft/token-client.ts";
import type { BenchOptions } from "./args.ts";
import { mapWithConcurrency, percentile } from "./pool.ts";
import type { BenchEnvironment } from "./setup.ts";

export interface FanoutFigures {
  views: number;
  concurrency: number;
  callsPerView: number;
  /** Every view, in order; the first one also acquires every tenant's token. */
  viewMs: number[];
  p50Ms: number;
  firstViewMs: number;
}

/**
 * What a portal without a store does for each queue view: ask every tenant for its newest incidents (one call per
 * tenant, through the portal's API client and its per-tenant limiter), then merge. Timed per view.
 */
export async function measureLiveFanout(env: BenchEnvironment, opts: BenchOptions, log: (line: string) => void): Promise<FanoutFigures> {
  const cfg = serverConfig();
  const tokens = new TenantTokenClient({ authorityHost: cfg.authorityHost, clientId: cfg.clientId, credential: cfg.credential });
  const api = new MicrosoftApiClient({ tokens, baseUrl: cfg.apiBaseUrl });
  const request =
    opts.source === "graph"
      ? { api: "graph" as const, path: "/v1.0/security/incidents?$top=50&$expand=alerts", newest: (i: Record<string, unknown>) => String(i.lastUpdateDateTime) }
      : { api: "xdr" as const, path: "/api/incidents?$top=50", newest: (i: Record<string, unknown>) => String(i.lastUpdateTime) };

  const viewMs: number[] = [];
  for (let v = 0; v < opts.fanoutViews; v++) {
    const t = performance.now();
    const pages = await mapWithConcurrency(env.customers, opts.clients, (c) => api.getJson(request.api, { tenantId: c.tenantId, region: "eu" }, request.path));
    // The merge is part of the view: one cross-tenant first page, newest first.
    const merged = pages.flatMap((p) => (p as { value: Record<string, unknown>[] }).value);
    merged.sort((a, b) => request.newest(b).localeCompare(request.newest(a)));
    merged.length = Math.min(merged.length, 50);
    viewMs.push(performance.now() - t);
    log(`  fan-out view ${v + 1}/${opts.fanoutViews}: ${(viewMs.at(-1)! / 1000).toFixed(1)} s`);
  }
  return {
    views: viewMs.length,
    concurrency: opts.clients,
    callsPerView: env.customers.length,
    viewMs,
    p50Ms: percentile(viewMs, 50),
    firstViewMs: viewMs[0] ?? NaN,
  };
}
