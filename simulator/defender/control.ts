// Control API for the Defender simulation (under /_sim/, not part of the emulated surface). JSON in/out, zod-validated.
//   GET|PUT /_sim/defender                                 global settings + stats
//   GET|PUT /_sim/tenants/{id}/faults                      fault knobs
//   PUT     /_sim/tenants/{id}/defender                    {incidentsPerTenant?, quotas?, enumCase?, graphTags?}
//   GET     /_sim/tenants/{id}/defender/incidents          ground truth
//   POST    /_sim/tenants/{id}/defender/incidents          inject one incident (hostile data)
//   GET     /_sim/tenants/{id}/defender/summary            counts
//   POST    /_sim/tenants/{id}/defender/tick               {create?, update?}
//   POST    /_sim/tenants/{id}/defender/quotas/reset
//   GET     /_sim/tenants/{id}/defender/machines               device pool: machine id, name, isolation state
//   GET|PUT /_sim/tenants/{id}/defender/machineactions         recorded actions (body, status) | knobs {pendingMs?, runMs?, failNext?}
//   GET     /_sim/defender/machineactions/requests             every machine-action request received (method, path, time)
//   GET     /_sim/tenants/{id}/defender/changes                incident updates with who made them (user UPN or the app)
import { z } from "zod";
import type { SimulatorContext } from "../context.ts";
import type { Tenant } from "../directory.ts";
import { HttpError, json, type Route, type SimRequest } from "../http.ts";
import { COMPOSITE_TEMPLATE, incidentSeverity, TEMPLATES, type Overrides, type TenantData } from "./model.ts";
import { iso7 } from "./render.ts";
import { machineActionView } from "./machine-actions.ts";
import type { DefenderService } from "./service.ts";

const rate = z.number().min(0).max(1);
const faultsBody = z.strictObject({
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  errorRate: rate.optional(),
  timeoutRate: rate.optional(),
  malformedRate: rate.optional(),
  throttleRate: rate.optional(),
  tokenEndpointDown: z.boolean().optional(),
});

const settingsBody = z.strictObject({
  incidentsPerTenant: z.number().int().min(0).max(100_000).optional(),
  quotas: z.boolean().optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  tickIntervalMs: z.number().int().min(0).optional(),
});

const tenantSettingsBody = z.strictObject({
  incidentsPerTenant: z.number().int().min(0).max(100_000).optional(),
  quotas: z.boolean().nullable().optional(),
  /** service.ts Spelling: the casings and tag property Microsoft's own examples mix. */
  enumCase: z.enum(["documented", "pascal", "camel"]).optional(),
  graphTags: z.enum(["customTags", "tags"]).optional(),
});

const machineActionKnobsBody = z.strictObject({
  pendingMs: z.number().int().min(0).max(3_600_000).optional(),
  runMs: z.number().int().min(0).max(3_600_000).optional(),
  failNext: z.number().int().min(0).max(1000).optional(),
});

const tickBody = z
  .strictObject({ create: z.number().int().min(0).max(10_000).optional(), update: z.number().int().min(0).max(10_000).optional() })
  .optional()
  .transform((v) => v ?? {});

// Up to ~1 MB per string: the request body limit is 1 MiB.
const text = z.string().max(1_048_576);
const injectBody = z
  .strictObject({
    incidentName: text.optional(),
    title: text.optional(),
    description: text.optional(),
    comment: text.optional(),
    comments: z.array(text).optional(),
    tags: z.array(text).optional(),
    assignedTo: text.nullable().optional(),
    status: z.enum(["Active", "InProgress", "Resolved", "Redirected"]).optional(),
    severity: z.enum(["UnSpecified", "Informational", "Low", "Medium", "High"]).optional(),
    alertTitle: text.optional(),
    alertDescription: text.optional(),
    fileName: text.optional(),
    filePath: text.optional(),
    processCommandLine: text.optional(),
    url: text.optional(),
    ipAddress: text.optional(),
    accountName: text.optional(),
    userPrincipalName: text.optional(),
    subject: text.optional(),
    sender: text.optional(),
    registryKey: text.optional(),
    registryValue: text.optional(),
    deviceDnsName: text.optional(),
    threatFamilyName: text.optional(),
    /** Extra generated alerts after the first (composite) one: 0..4. */
    extraAlerts: z.number().int().min(0).max(4).optional(),
  })
  .optional()
  .transform((v) => v ?? {});

const OVERRIDE_KEYS = [
  "description",
  "alertTitle",
  "alertDescription",
  "fileName",
  "filePath",
  "processCommandLine",
  "url",
  "ipAddress",
  "accountName",
  "userPrincipalName",
  "subject",
  "sender",
  "registryKey",
  "registryValue",
  "deviceDnsName",
  "threatFamilyName",
] as const satisfies readonly (keyof Overrides)[];

function groundTruth(data: TenantData) {
  return [...data.incidents]
    .sort((a, b) => b.lastUpdateMs - a.lastUpdateMs || b.id - a.id)
    .map((r) => ({
      incidentId: r.id,
      createdTime: iso7(r.createdMs),
      lastUpdateTime: iso7(r.lastUpdateMs),
      status: r.status,
      severity: incidentSeverity(data, r),
      classification: r.classification,
      determination: r.determination,
      assignedTo: r.assignedTo,
      alertIds: r.alerts.map((a) => a.id),
      // Each alert's lastUpdateTime as the APIs serve it (model.ts alertView), so a client can tell a stale copy.
      alerts: r.alerts.map((a) => ({ alertId: a.id, lastUpdateTime: iso7(Math.max(a.createdMs, r.lastUpdateMs)) })),
      mdeAlertIds: r.alerts.filter((a) => TEMPLATES[a.t]!.service === "MDE").map((a) => a.id),
    }));
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

export function defenderControlRoutes(ctx: SimulatorContext, svc: DefenderService): Route[] {
  const tenantOr404 = (req: SimRequest): Tenant => {
    const t = svc.findTenant(req.params.tenantId ?? "");
    if (!t) throw new HttpError(404, `Tenant '${req.params.tenantId ?? ""}' not found`);
    return t;
  };
  const licensedData = (t: Tenant): TenantData | null => (svc.hasDefender(t) ? svc.data(t) : null);

  const settingsView = () => ({
    incidentsPerTenant: svc.model.incidentsPerTenant,
    quotas: svc.settings.quotas,
    latencyMs: svc.settings.latencyMs,
    tickIntervalMs: svc.settings.tickIntervalMs,
    hangMs: svc.settings.hangMs,
    epoch: new Date(svc.model.anchorMs).toISOString(),
    materializedTenants: svc.model.materializedTenants,
  });

  return [
    { method: "GET", path: "/_sim/defender", handler: () => json(200, settingsView()) },
    {
      method: "PUT",
      path: "/_sim/defender",
      handler: (req) => {
        const b = settingsBody.parse(req.json() ?? {});
        if (b.incidentsPerTenant !== undefined) svc.model.setDefaultVolume(b.incidentsPerTenant);
        if (b.quotas !== undefined) svc.settings.quotas = b.quotas;
        if (b.latencyMs !== undefined) svc.settings.latencyMs = b.latencyMs;
        if (b.tickIntervalMs !== undefined) svc.setTickInterval(b.tickIntervalMs);
        return json(200, settingsView());
      },
    },
    {
      method: "GET",
      path: "/_sim/tenants/:tenantId/faults",
      handler: (req) => {
        const t = tenantOr404(req);
        return json(200, { tenantId: t.id, ...svc.getFaults(t.id), effectiveLatencyMs: svc.latencyFor(t.id) });
      },
    },
    {
      method: "PUT",
      path: "/_sim/tenants/:tenantId/faults",
      handler: (req) => {
        const t = tenantOr404(req);
        const b = faultsBody.parse(req.json() ?? {});
        svc.setFaults(t.id, Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)));
        ctx.log(`control: faults for ${t.displayName}: ${JSON.stringify(b)}`);
        return json(200, { tenantId: t.id, ...svc.getFaults(t.id), effectiveLatencyMs: svc.latencyFor(t.id) });
      },
    },
    {
      method: "PUT",
      path: "/_sim/tenants/:tenantId/defender",
      handler: (req) => {
        const t = tenantOr404(req);
        const b = tenantSettingsBody.parse(req.json() ?? {});
        // A new volume drops the tenant's generated data (and its mutations); it is regenerated on next access.
        if (b.incidentsPerTenant !== undefined) svc.model.setVolume(t.id, b.incidentsPerTenant);
        if (b.quotas !== undefined) svc.setTenantQuotas(t.id, b.quotas);
        const spelling = svc.setSpelling(t.id, { ...(b.enumCase ? { enumCase: b.enumCase } : {}), ...(b.graphTags ? { graphTags: b.graphTags } : {}) });
        return json(200, {
          tenantId: t.id,
          incidentsPerTenant: svc.model.volumeOverride.get(t.id) ?? svc.model.incidentsPerTenant,
          quotas: svc.quotasEnabled(t.id),
          ...spelling,
        });
      },
    },
    {
      method: "GET",
      path: "/_sim/tenants/:tenantId/defender/incidents",
      handler: (req) => {
        const t = tenantOr404(req);
        const data = licensedData(t);
        const incidents = data ? groundTruth(data) : [];
        return json(200, { tenantId: t.id, count: incidents.length, incidents });
      },
    },
    {
      method: "POST",
      path: "/_sim/tenants/:tenantId/defender/incidents",
      handler: (req) => {
        const t = tenantOr404(req);
        const data = licensedData(t);
        if (!data) throw new HttpError(409, `Tenant '${t.displayName}' has no Defender licence`);
        const b = injectBody.parse(req.json());
        const overrides: Overrides = {};
        for (const k of OVERRIDE_KEYS) if (b[k] !== undefined) overrides[k] = b[k];
        const name = b.incidentName ?? b.title;
        if (name !== undefined) overrides.incidentName = name;
        const extra = Array.from({ length: b.extraAlerts ?? 0 }, (_, i) => i % 7);
        const inc = svc.model.create(data, { templates: [COMPOSITE_TEMPLATE, ...extra], overrides, label: `inject|${data.nextId}` });
        if (b.status) inc.status = b.status;
        if (b.severity) inc.severityOverride = b.severity;
        if (b.assignedTo !== undefined) inc.assignedTo = b.assignedTo;
        if (b.tags) inc.tags = [...b.tags];
        for (const c of [...(b.comment !== undefined ? [b.comment] : []), ...(b.comments ?? [])]) {
          inc.comments.push({ comment: c, createdBy: `secops1@${t.domain}`, createdMs: inc.lastUpdateMs });
        }
        return json(201, { tenantId: t.id, incidentId: inc.id, lastUpdateTime: iso7(inc.lastUpdateMs), alertIds: inc.alerts.map((a) => a.id) });
      },
    },
    {
      method: "GET",
      path: "/_sim/tenants/:tenantId/defender/summary",
      handler: (req) => {
        const t = tenantOr404(req);
        const data = licensedData(t);
        const truth = data ? groundTruth(data) : [];
        const alerts = data ? data.incidents.flatMap((i) => i.alerts) : [];
        return json(200, {
          tenantId: t.id,
          defenderLicence: t.defenderLicence,
          incidentsPerTenant: data?.volume ?? 0,
          incidents: truth.length,
          alerts: alerts.length,
          mdeAlerts: truth.reduce((n, i) => n + i.mdeAlertIds.length, 0),
          byStatus: countBy(truth, (i) => i.status),
          bySeverity: countBy(truth, (i) => i.severity),
          byServiceSource: countBy(alerts, (a) => TEMPLATES[a.t]!.service),
          newestLastUpdateTime: truth[0]?.lastUpdateTime ?? null,
          ticks: data?.ticks ?? 0,
        });
      },
    },
    {
      method: "POST",
      path: "/_sim/tenants/:tenantId/defender/tick",
      handler: (req) => {
        const t = tenantOr404(req);
        const data = licensedData(t);
        if (!data) throw new HttpError(409, `Tenant '${t.displayName}' has no Defender licence`);
        const b = tickBody.parse(req.json());
        const r = svc.model.tick(data, b.create ?? 1, b.update ?? 2);
        return json(200, { tenantId: t.id, ...r });
      },
    },
    {
      method: "GET",
      path: "/_sim/tenants/:tenantId/defender/changes",
      handler: (req) => {
        const id = (req.params.tenantId ?? "").toLowerCase();
        return json(
          200,
          svc.changes.filter((c) => c.tenantId === id).map((c) => ({ ...c, at: new Date(c.atMs).toISOString() })),
        );
      },
    },
    {
      method: "GET",
      path: "/_sim/defender/machineactions/requests",
      handler: () => json(200, { requests: svc.machineActions.received }),
    },
    {
      method: "GET",
      path: "/_sim/tenants/:tenantId/defender/machines",
      handler: (req) => {
        const t = tenantOr404(req);
        const data = licensedData(t);
        const machines = (data?.devices ?? []).map((d) => ({
          id: d.mdatpDeviceId,
          computerDnsName: d.deviceDnsName,
          isolated: svc.machineActions.isolated(t.id, d.mdatpDeviceId),
        }));
        return json(200, { tenantId: t.id, machines });
      },
    },
    {
      method: "GET",
      path: "/_sim/tenants/:tenantId/defender/machineactions",
      handler: (req) => {
        const t = tenantOr404(req);
        const store = svc.machineActions;
        return json(200, {
          tenantId: t.id,
          knobs: store.knobsFor(t.id),
          actions: store.list(t.id).map((a) => ({ ...machineActionView(store, a), body: a.body })),
        });
      },
    },
    {
      method: "PUT",
      path: "/_sim/tenants/:tenantId/defender/machineactions",
      handler: (req) => {
        const t = tenantOr404(req);
        const b = machineActionKnobsBody.parse(req.json() ?? {});
        const knobs = svc.machineActions.setKnobs(t.id, Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)));
        return json(200, { tenantId: t.id, knobs });
      },
    },
    {
      method: "POST",
      path: "/_sim/tenants/:tenantId/defender/quotas/reset",
      handler: (req) => {
        const t = tenantOr404(req);
        svc.resetQuotas(t.id);
        return json(200, { tenantId: t.id });
      },
    },
  ];
}
