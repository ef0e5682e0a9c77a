// Control API for advanced hunting (under /_sim/, not part of the emulated surface). JSON in/out, zod-validated.
//   GET|PUT /_sim/hunting                         default knobs {slowMs, callsPerMinute, cpuBudgetMsPer15Min, timeoutMs, maxRows, failNext}
//                                                 + table cache stats
//   GET     /_sim/hunting/counters                per-tenant counters (calls, ok, 429s by kind, timeouts, peak calls/minute, ...)
//   POST    /_sim/hunting/counters/reset
//   GET|PUT /_sim/tenants/{id}/hunting            effective knobs, overrides (null clears one), counters, quota state
//   POST    /_sim/tenants/{id}/hunting/quotas/reset   clears the tenant's calls-per-minute window and CPU cycle
//   GET     /_sim/tenants/{id}/hunting/tables/{name}  ground truth: every row of a table (no Timespan), as the API renders it
import { z } from "zod";
import type { SimulatorContext } from "../context.ts";
import type { Tenant } from "../directory.ts";
import { HttpError, json, type Route, type SimRequest } from "../http.ts";
import type { DefenderService } from "../defender/service.ts";
import { SCHEMA_TYPE } from "./service.ts";
import { toStr } from "./kql.ts";

const failNext = z.strictObject({
  status: z.number().int().min(400).max(599),
  code: z.string().min(1).max(200),
  message: z.string().max(10_000),
  times: z.number().int().min(1).max(1000).optional(),
});
const knobFields = {
  slowMs: z.number().int().min(0).max(3_600_000),
  callsPerMinute: z.number().int().min(0).max(100_000),
  cpuBudgetMsPer15Min: z.number().min(0).max(1e12),
  timeoutMs: z.number().int().min(1).max(3_600_000),
  maxRows: z.number().int().min(0).max(10_000_000),
};
const defaultsBody = z.strictObject({
  slowMs: knobFields.slowMs.optional(),
  callsPerMinute: knobFields.callsPerMinute.optional(),
  cpuBudgetMsPer15Min: knobFields.cpuBudgetMsPer15Min.optional(),
  timeoutMs: knobFields.timeoutMs.optional(),
  maxRows: knobFields.maxRows.optional(),
  failNext: failNext.nullable().optional(),
});
const tenantBody = z.strictObject({
  slowMs: knobFields.slowMs.nullable().optional(),
  callsPerMinute: knobFields.callsPerMinute.nullable().optional(),
  cpuBudgetMsPer15Min: knobFields.cpuBudgetMsPer15Min.nullable().optional(),
  timeoutMs: knobFields.timeoutMs.nullable().optional(),
  maxRows: knobFields.maxRows.nullable().optional(),
  failNext: failNext.nullable().optional(),
});

export function huntingControlRoutes(_ctx: SimulatorContext, svc: DefenderService): Route[] {
  const hunting = svc.hunting;
  const tenantOr404 = (req: SimRequest): Tenant => {
    const t = svc.findTenant(req.params.tenantId ?? "");
    if (!t) throw new HttpError(404, `Tenant '${req.params.tenantId ?? ""}' not found`);
    return t;
  };
  const tenantView = (t: Tenant) => ({
    tenantId: t.id,
    knobs: hunting.knobsFor(t.id),
    overrides: hunting.overridesFor(t.id),
    counters: hunting.counters(t.id),
    quota: hunting.quotaState(t.id),
  });
  const settingsView = () => ({ defaults: { ...hunting.defaults }, cache: hunting.cache.stats() });

  return [
    { method: "GET", path: "/_sim/hunting", handler: () => json(200, settingsView()) },
    {
      method: "PUT",
      path: "/_sim/hunting",
      handler: (req) => {
        const b = defaultsBody.parse(req.json() ?? {});
        hunting.setDefaults(Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)));
        return json(200, settingsView());
      },
    },
    { method: "GET", path: "/_sim/hunting/counters", handler: () => json(200, { tenants: hunting.allCounters() }) },
    {
      method: "POST",
      path: "/_sim/hunting/counters/reset",
      handler: () => {
        hunting.resetCounters();
        return json(200, {});
      },
    },
    { method: "GET", path: "/_sim/tenants/:tenantId/hunting", handler: (req) => json(200, tenantView(tenantOr404(req))) },
    {
      method: "PUT",
      path: "/_sim/tenants/:tenantId/hunting",
      handler: (req) => {
        const t = tenantOr404(req);
        hunting.setTenant(t.id, tenantBody.parse(req.json() ?? {}));
        return json(200, tenantView(t));
      },
    },
    {
      method: "POST",
      path: "/_sim/tenants/:tenantId/hunting/quotas/reset",
      handler: (req) => {
        const t = tenantOr404(req);
        hunting.resetQuotas(t.id);
        return json(200, tenantView(t));
      },
    },
    {
      method: "GET",
      path: "/_sim/tenants/:tenantId/hunting/tables/:name",
      handler: (req) => {
        const t = tenantOr404(req);
        if (!svc.hasDefender(t)) throw new HttpError(409, `Tenant '${t.displayName}' has no Defender licence`);
        const table = hunting.table(t.id, t.displayName, svc.data(t), req.params.name ?? "");
        if (!table) throw new HttpError(404, `No hunting table '${req.params.name ?? ""}'`);
        return json(200, {
          tenantId: t.id,
          schema: table.columns.map((c) => ({ name: c.name, type: SCHEMA_TYPE[c.type] })),
          rows: table.rows.map((r) =>
            Object.fromEntries(
              table.columns.map((c) => [c.name, c.type === "datetime" && typeof r[c.name] === "number" ? toStr(r[c.name]!, c.type) : r[c.name]]),
            ),
          ),
        });
      },
    },
  ];
}
