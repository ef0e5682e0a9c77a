// The Defender data APIs, served per real host as a path prefix: https://localhost:PORT/{host}/{path}.
//   Defender XDR   /{xdr host}/api/incidents[/{id}]                 GET, PATCH
//   MDE alerts     /{mde host}/api/alerts[/{id}], /api/v1.0/alerts   GET
//   Graph          /graph.microsoft.com/v1.0/security/incidents[/{id}], /v1.0/security/alerts_v2[/{id}]   GET
//   Graph hunting  /graph.microsoft.com/v1.0/security/runHuntingQuery   POST (simulator/hunting/service.ts)
//   SIEM (legacy)  /wdatp-alertexporter-{eu|us|uk}.windows.com/api/alerts   GET
//   MDE machine actions /{mde host}/api/machines/{id}/{isolate|unisolate|runAntiVirusScan|collectInvestigationPackage} POST,
//                  /api/machineactions/{id}[/GetPackageUri] GET (machine-actions.ts)
import { z } from "zod";
import type { SimulatorContext } from "../context.ts";
import { audienceMatches, RESOURCES, type DefenderRolePermission, type ResourceDefinition, type Tenant } from "../directory.ts";
import { HttpError, type Route, type SimRequest, type SimResult } from "../http.ts";
import { json } from "../http.ts";
import { AccessTokenError, type AccessTokenClaims } from "../tokens.ts";
import {
  alertView,
  DETERMINATIONS,
  incidentSeverity,
  incidentView,
  TEMPLATES,
  type AlertView,
  type Classification,
  type IncidentRec,
  type TenantData,
} from "./model.ts";
import { ACTION_BODIES, findMachine, machineActionView, type MachineActionType } from "./machine-actions.ts";
import { ODataError, parseListQuery, type Fields, type ListRules } from "./odata.ts";
import {
  graphAlert,
  graphClassification,
  graphDetermination,
  graphIncident,
  graphServiceSource,
  graphSeverity,
  graphStatus,
  mdeAlert,
  respell,
  siemDetection,
  xdrIncident,
} from "./render.ts";
import { apiError, callIds, type Api, type CallIds, type DefenderService, type Family } from "./service.ts";

export const XDR_HOSTS: ReadonlySet<string> = new Set([
  "api.security.microsoft.com",
  "api-us.security.microsoft.com",
  "api-eu.security.microsoft.com",
  "api-uk.security.microsoft.com",
  "us.api.security.microsoft.com",
  "eu.api.security.microsoft.com",
  "uk.api.security.microsoft.com",
  "au.api.security.microsoft.com",
  "swa.api.security.microsoft.com",
  "ina.api.security.microsoft.com",
]);
export const MDE_HOSTS: ReadonlySet<string> = new Set([
  ...XDR_HOSTS,
  "api.securitycenter.microsoft.com",
  "api-us.securitycenter.microsoft.com",
  "api-eu.securitycenter.microsoft.com",
  "api-uk.securitycenter.microsoft.com",
]);
export const GRAPH_HOSTS: ReadonlySet<string> = new Set(["graph.microsoft.com"]);
export const SIEM_HOSTS: ReadonlySet<string> = new Set([
  "wdatp-alertexporter-eu.windows.com",
  "wdatp-alertexporter-us.windows.com",
  "wdatp-alertexporter-uk.windows.com",
]);

const FAMILY: Record<Api, Family> = { xdr: "defender", mde: "defender", graph: "graph", siem: "defender", hunting: "graph" };
const RESOURCE: Record<Api, ResourceDefinition> = {
  xdr: RESOURCES.mtp,
  mde: RESOURCES.wdatp,
  graph: RESOURCES.graph,
  siem: RESOURCES.aadgraph,
  hunting: RESOURCES.graph,
};

interface Call {
  req: SimRequest;
  api: Api;
  host: string;
  ids: CallIds;
  claims: AccessTokenClaims;
  tenant: Tenant;
  data: TenantData;
  /** Who Microsoft records as making a change: the signed-in user of a delegated token (UPN), or the app. */
  actor: { type: "user"; name: string; oid: string } | { type: "application"; name: string; oid: string };
}

/** The delegated permission that stands for an application permission in a user token (`scp`): `X.Read.All` -> `X.Read`. */
function delegatedFor(api: Api, role: string): string {
  return FAMILY[api] === "graph" ? role : role.replace(/\.All$/, "");
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
  });

/** A stable page order: newest lastUpdate first, then highest id. */
const byUpdateDesc = (a: IncidentRec, b: IncidentRec) => b.lastUpdateMs - a.lastUpdateMs || b.id - a.id;

export function defenderApiRoutes(ctx: SimulatorContext, svc: DefenderService): Route[] {
  const seed = ctx.directory.seed;
  /** The tenant's spelling variant (PUT /_sim/tenants/{id}/defender {enumCase, graphTags}); as documented by default. */
  const spelled = <T>(c: Call, body: T): T => (c.api === "siem" || c.api === "hunting" ? body : respell(body, svc.spelling(c.tenant.id), c.api));

  // -------------------------------------------------------------------------------------------
  // Pipeline: host check -> token (401) -> role (403) -> licence (403) -> quota (429) -> faults -> handler
  // -------------------------------------------------------------------------------------------

  const unknownHost = (req: SimRequest): SimResult => json(404, { error: "not_found", error_description: `No route for ${req.method} ${req.url.pathname}` });

  const run = async (
    api: Api,
    endpoint: string,
    roles: readonly string[],
    req: SimRequest,
    handler: (call: Call) => SimResult | Promise<SimResult>,
    userPermission: DefenderRolePermission = "View data",
  ): Promise<SimResult> => {
    const host = (req.params.host ?? "").toLowerCase();
    const family = FAMILY[api];
    const ids = callIds(req);
    const auth = authenticate(ctx, api, req, ids);
    const tenantKey = "claims" in auth ? auth.claims.tid : "-";
    ctx.counters.hit(endpoint, tenantKey);
    ctx.counters.hit(`host:${host}`, tenantKey);
    if (!("claims" in auth)) return auth.result;
    const { claims } = auth;

    // A user token (`scp`) is limited by its delegated permissions here and by the user's own Defender role below.
    const delegated = claims.scp !== undefined || claims.idtyp === "user";
    if (delegated) {
      const scp = (claims.scp ?? "").split(" ");
      const wanted = [...new Set(roles.map((r) => delegatedFor(api, r)))];
      if (wanted.length > 0 && !wanted.some((w) => scp.includes(w))) {
        // UNCONFIRMED wording; code Forbidden per common-errors.md.
        return apiError(
          family,
          ids,
          403,
          "Forbidden",
          `The application does not have any of the required delegated permissions (${wanted.join(", ")}) to access the resource.`,
        );
      }
    } else if (roles.length > 0 && !roles.some((r) => claims.roles.includes(r))) {
      // Roles come from the token, not the directory: a token issued before consent was revoked keeps working until it
      // expires, as Entra access tokens do (they are not revocable by the resource).
      const message =
        family === "graph"
          ? // Observed Graph body (wazuh/wazuh#31670, KelvinTegelaar/CIPP#1085).
            `Missing application roles. API required roles: ${roles.join(",")}, application roles: ${claims.roles.join(",")}.`
          : // UNCONFIRMED wording; code Forbidden per common-errors.md.
            `The application does not have any of the required application permissions (${[...roles].reverse().join(", ")}) to access the resource.`;
      return apiError(family, ids, 403, "Forbidden", message);
    }

    const tenant = svc.findTenant(claims.tid);
    if (!tenant) return apiError(family, ids, 401, family === "graph" ? "InvalidAuthenticationToken" : "Unauthorized", "Unauthorized");
    if (!svc.hasDefender(tenant)) {
      if (api === "siem") {
        // pull-alerts-using-rest-api.md: 403 when the tenant is not managed or deleted. Body UNCONFIRMED.
        return apiError(family, ids, 403, "Forbidden", "Tenant is not onboarded to Microsoft Defender for Endpoint.");
      }
      if (family === "graph") {
        // UNCONFIRMED: Graph's answer for a tenant without any Defender workload is not documented; a 403 naming the
        // missing onboarding is what this simulator returns.
        return apiError(family, ids, 403, "Forbidden", "The tenant is not onboarded to Microsoft Defender XDR.");
      }
      // common-errors.md: DisabledFeature (403) "Tenant feature isn't enabled."
      return apiError(family, ids, 403, "DisabledFeature", "Tenant feature isn't enabled.");
    }

    // defender-docs (api-update-incidents.md, isolate-machine.md, run-av-scan.md, ...): "When obtaining a token using user
    // credentials, the user needs to have at least the following role permission". The answer is 403 Forbidden; the
    // message is UNCONFIRMED (Microsoft documents the requirement, not the body).
    let actor: Call["actor"] = { type: "application", name: ctx.app.displayName, oid: claims.oid };
    if (delegated) {
      const member = ctx.directory.membershipByOid(tenant.id, claims.oid);
      if (!member) return apiError(family, ids, 401, family === "graph" ? "InvalidAuthenticationToken" : "Unauthorized", "Unauthorized");
      if (!member.defenderRoles.includes(userPermission)) {
        return apiError(
          family,
          ids,
          403,
          "Forbidden",
          `The user ${member.user.upn} does not have the required role permission '${userPermission}' in this tenant to perform this action.`,
        );
      }
      actor = { type: "user", name: member.user.upn, oid: member.oid };
    }

    const quota = svc.takeQuota(tenant.id, api);
    if (quota) return throttled(family, ids, quota.retryAfter, quota.limit);

    const latency = svc.latencyFor(tenant.id);
    if (latency > 0) await sleep(latency);
    const fault = svc.decideFault(tenant.id);
    switch (fault.kind) {
      case "timeout": {
        // The request hangs until the client gives up; the socket is closed after hangMs.
        await sleep(svc.settings.hangMs);
        const res = ctx.rawResponse?.(req);
        res?.socket?.destroy();
        return apiError(family, ids, 504, "GatewayTimeout", "The request timed out.");
      }
      case "error":
        return fault.status === 500
          ? // common-errors.md: InternalServerError (500). Graph: UNCONFIRMED code (errors.md lists generalException).
            apiError(
              family,
              ids,
              500,
              family === "graph" ? "generalException" : "InternalServerError",
              family === "graph" ? "An internal server error occurred." : "",
            )
          : // UNCONFIRMED: 503 is not in the Defender error table; Graph errors.md lists serviceNotAvailable.
            apiError(
              family,
              ids,
              503,
              family === "graph" ? "serviceNotAvailable" : "ServiceUnavailable",
              "The service is temporarily unavailable. Try again later.",
              { "Retry-After": "5" },
            );
      case "throttle":
        return throttled(family, ids, fault.retryAfter, "fault injection");
      default:
        break;
    }

    const data = svc.data(tenant);
    let result: SimResult;
    try {
      result = await handler({ req, api, host, ids, claims, tenant, data, actor });
    } catch (err) {
      if (err instanceof ODataError)
        return apiError(
          family,
          ids,
          400,
          family === "graph" ? "BadRequest" : "ODataError",
          family === "graph" ? err.message : `Invalid OData URI query: ${err.message}`,
        );
      if (err instanceof ApiFailure) return apiError(family, ids, err.status, err.code, err.message);
      throw err;
    }
    result = { ...result, headers: { ...(result.headers ?? {}), "request-id": ids.requestId, "client-request-id": ids.clientRequestId } };
    if (fault.kind === "malformed" && typeof result.body === "string") {
      // 200 with a body cut mid-document: not JSON.
      result = { ...result, status: 200, body: `${result.body.slice(0, Math.max(12, Math.floor(result.body.length * 0.6)))}\u0000` };
    }
    return result;
  };

  const throttled = (family: Family, ids: CallIds, retryAfter: number, limit: string): SimResult => {
    const headers = { "Retry-After": String(retryAfter) };
    if (family === "graph") {
      // Graph throttling guidance (concepts/throttling.md): 429, Retry-After, code TooManyRequests.
      return apiError(family, ids, 429, "TooManyRequests", "Please retry again later.", headers);
    }
    // common-errors.md: TooManyRequests (429) with Retry-After; api-update-incidents.md says the body tells when
    // calls may resume. UNCONFIRMED wording.
    return apiError(family, ids, 429, "TooManyRequests", `API calls quota exceeded! Maximum allowed ${limit}. Try again in ${retryAfter} seconds.`, headers);
  };

  // -------------------------------------------------------------------------------------------
  // Defender XDR incidents (defender-xdr/api-list-incidents.md, api-update-incidents.md)
  // -------------------------------------------------------------------------------------------

  const XDR_FIELDS: Fields<IncidentRec> = {
    lastupdatetime: { kind: "date", get: (r) => r.lastUpdateMs },
    createdtime: { kind: "date", get: (r) => r.createdMs },
    status: { kind: "enum", get: (r) => r.status },
    assignedto: { kind: "string", get: (r) => r.assignedTo },
  };
  // UNCONFIRMED: $top above 100 is rejected (400) rather than capped; the docs only state the maximum.
  const XDR_RULES: ListRules = { allowed: new Set(), defaultTop: 100, maxTop: 100, overTop: "error", expand: new Set() };
  const xdrContext = (host: string) => `https://${host}/api/$metadata#Incidents`;
  const XDR_READ = ["Incident.Read.All", "Incident.ReadWrite.All"];

  const xdrList = (c: Call): SimResult => {
    const q = parseListQuery(c.req.query, XDR_FIELDS, XDR_RULES);
    const matching = c.data.incidents.filter((r) => !q.filter || q.filter(r)).sort(byUpdateDesc);
    const page = matching.slice(q.skip, q.skip + q.top);
    // No @odata.nextLink: the docs never show one; clients page with $skip until a short page.
    return json(200, { "@odata.context": xdrContext(c.host), value: page.map((r) => spelled(c, xdrIncident(incidentView(seed, c.data, r)))) });
  };

  const findIncident = (c: Call, raw: string): IncidentRec => {
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    const inc = Number.isNaN(id) ? undefined : c.data.byId.get(id);
    // common-errors.md ResourceNotFound (404) "Resource <...> wasn't found". UNCONFIRMED exact wording.
    if (!inc) throw new ApiFailure(404, "ResourceNotFound", `Incident ${raw} was not found`);
    return inc;
  };

  const xdrGet = (c: Call): SimResult => {
    const inc = findIncident(c, c.req.params.id ?? "");
    // UNCONFIRMED: single-entity @odata.context ("$metadata#Incidents/$entity"), standard OData.
    return json(200, { "@odata.context": `https://${c.host}/api/$metadata#Incidents/$entity`, ...spelled(c, xdrIncident(incidentView(seed, c.data, inc))) });
  };

  const patchBody = z.strictObject({
    status: z.enum(["Active", "Resolved", "InProgress", "Redirected"]).optional(),
    assignedTo: z.string().max(4096).nullable().optional(),
    classification: z.enum(["TruePositive", "InformationalExpectedActivity", "FalsePositive", "Unknown"]).optional(),
    determination: z.string().optional(),
    tags: z.array(z.string().max(4096)).max(100).optional(),
    comment: z.string().max(1_000_000).optional(),
  });

  const xdrPatch = (c: Call): SimResult => {
    const inc = findIncident(c, c.req.params.id ?? "");
    let raw: unknown;
    try {
      raw = c.req.json();
    } catch (err) {
      if (err instanceof HttpError) throw new ApiFailure(400, "InvalidRequestBody", "Request body is incorrect");
      throw err;
    }
    const parsed = patchBody.safeParse(raw ?? {});
    // common-errors.md: InvalidRequestBody (400); body parameters are case-sensitive.
    if (!parsed.success) throw new ApiFailure(400, "InvalidRequestBody", "Request body is incorrect");
    const b = parsed.data;
    const classification: Classification = b.classification ?? inc.classification;
    if (b.determination !== undefined) {
      // api-update-incidents.md: determination only with TruePositive per the constraints list, yet the same page lists
      // values per classification. UNCONFIRMED: the per-classification list is enforced.
      const allowed = classification === "Unknown" ? [] : DETERMINATIONS[classification];
      if (!allowed.includes(b.determination))
        throw new ApiFailure(400, "InvalidInput", `Invalid input determination '${b.determination}' for classification '${classification}'.`);
    }
    if (b.status !== undefined) inc.status = b.status;
    if (b.assignedTo !== undefined) inc.assignedTo = b.assignedTo;
    if (b.classification !== undefined) {
      inc.classification = b.classification;
      if (b.determination === undefined) inc.determination = b.classification === "Unknown" ? "NotAvailable" : "Other";
    }
    if (b.determination !== undefined) inc.determination = b.determination;
    if (b.tags !== undefined) inc.tags = [...b.tags];
    svc.model.touch(c.data, inc);
    // UNCONFIRMED: comments added with an app token are attributed to the app's display name; with a user token, to the
    // user's UPN (what the Defender portal's activity log shows).
    if (b.comment !== undefined) inc.comments.push({ comment: b.comment, createdBy: c.actor.name, createdMs: inc.lastUpdateMs });
    svc.recordChange({ tenantId: c.tenant.id, incidentId: inc.id, actor: c.actor, fields: Object.keys(b).sort(), atMs: inc.lastUpdateMs });
    return json(200, { "@odata.context": `https://${c.host}/api/$metadata#Incidents/$entity`, ...spelled(c, xdrIncident(incidentView(seed, c.data, inc))) });
  };

  // -------------------------------------------------------------------------------------------
  // MDE alerts (defender-endpoint/api/get-alerts.md, alerts.md, exposed-apis-odata-samples.md)
  // -------------------------------------------------------------------------------------------

  const MDE_FIELDS: Fields<AlertView> = {
    alertcreationtime: { kind: "date", get: (a) => a.createdMs },
    lastupdatetime: { kind: "date", get: (a) => a.lastUpdatedMs },
    incidentid: { kind: "number", get: (a) => a.incidentId },
    investigationid: { kind: "number", get: (a) => a.investigationId },
    id: { kind: "string", get: (a) => a.alertId },
    assignedto: { kind: "string", get: (a) => a.assignedTo },
    detectionsource: { kind: "enum", get: (a) => a.template.detectionSource },
    lasteventtime: { kind: "date", get: (a) => a.lastActivityMs },
    status: { kind: "enum", get: (a) => a.status },
    severity: { kind: "enum", get: (a) => a.severity },
    category: { kind: "enum", get: (a) => a.template.category },
  };
  // UNCONFIRMED: $top above 10,000 is rejected (400) rather than capped.
  const MDE_RULES: ListRules = { allowed: new Set(["$expand"]), defaultTop: 10_000, maxTop: 10_000, overTop: "error", expand: new Set(["evidence"]) };
  const MDE_READ = ["Alert.Read.All", "Alert.ReadWrite.All"];

  /** The Defender for Endpoint alerts of the tenant's incidents (same ids as in XDR/Graph). */
  const mdeAlerts = (data: TenantData): AlertView[] => {
    const out: AlertView[] = [];
    for (const inc of data.incidents) {
      inc.alerts.forEach((a, n) => {
        if (TEMPLATES[a.t]!.service === "MDE") out.push(alertView(seed, data, inc, a, n));
      });
    }
    return out;
  };

  const mdeList = (c: Call): SimResult => {
    const q = parseListQuery(c.req.query, MDE_FIELDS, MDE_RULES);
    // UNCONFIRMED order: newest lastUpdateTime first (the docs say "latest alerts").
    const matching = mdeAlerts(c.data)
      .filter((a) => !q.filter || q.filter(a))
      .sort((x, y) => y.lastUpdatedMs - x.lastUpdatedMs || (x.alertId < y.alertId ? 1 : -1));
    const page = matching.slice(q.skip, q.skip + q.top);
    return json(200, {
      "@odata.context": `https://${c.host}/api/$metadata#Alerts`,
      value: page.map((a) => spelled(c, mdeAlert(a, c.tenant.id, q.expand === "evidence"))),
    });
  };

  const mdeGet = (c: Call): SimResult => {
    const id = c.req.params.id ?? "";
    const q = parseListQuery(c.req.query, {}, { ...MDE_RULES, defaultTop: 1 });
    const alert = mdeAlerts(c.data).find((a) => a.alertId === id);
    if (!alert) throw new ApiFailure(404, "ResourceNotFound", `Alert ${id} was not found`);
    // alerts.md single-alert example: evidence included. UNCONFIRMED whether GET by id needs $expand; it does not here.
    void q;
    return json(200, { "@odata.context": `https://${c.host}/api/$metadata#Alerts/$entity`, ...spelled(c, mdeAlert(alert, c.tenant.id, true)) });
  };

  // -------------------------------------------------------------------------------------------
  // Graph security v1.0 (api/security-list-incidents.md, security-list-alerts_v2.md)
  // -------------------------------------------------------------------------------------------

  const GRAPH_INCIDENT_FIELDS = (data: TenantData): Fields<IncidentRec> => ({
    assignedto: { kind: "string", get: (r) => r.assignedTo },
    classification: { kind: "enum", get: (r) => graphClassification(r.classification === "Unknown" ? null : r.classification) },
    createddatetime: { kind: "date", get: (r) => r.createdMs },
    determination: { kind: "enum", get: (r) => graphDetermination(r.determination) },
    lastupdatedatetime: { kind: "date", get: (r) => r.lastUpdateMs },
    severity: { kind: "enum", get: (r) => graphSeverity(incidentSeverity(data, r)) },
    status: { kind: "enum", get: (r) => graphStatus(r.status) },
  });
  const GRAPH_ALERT_FIELDS: Fields<AlertView> = {
    assignedto: { kind: "string", get: (a) => a.assignedTo },
    classification: { kind: "enum", get: (a) => graphClassification(a.classification) },
    determination: { kind: "enum", get: (a) => graphDetermination(a.determination) },
    createddatetime: { kind: "date", get: (a) => a.createdMs },
    lastupdatedatetime: { kind: "date", get: (a) => a.lastUpdatedMs },
    severity: { kind: "enum", get: (a) => graphSeverity(a.severity) },
    servicesource: { kind: "enum", get: (a) => graphServiceSource(a) },
    status: { kind: "enum", get: (a) => graphStatus(a.status) },
  };
  // UNCONFIRMED: the docs give no page size; integrations report 50. $top above 50 is capped (not an error) and a
  // request without $top gets 50 per page; more pages come through @odata.nextLink.
  const GRAPH_MAX = 50;
  const GRAPH_INCIDENT_RULES: ListRules = {
    allowed: new Set(["$count", "$expand"]),
    defaultTop: GRAPH_MAX,
    maxTop: GRAPH_MAX,
    overTop: "cap",
    expand: new Set(["alerts"]),
  };
  const GRAPH_ALERT_RULES: ListRules = { allowed: new Set(["$count"]), defaultTop: GRAPH_MAX, maxTop: GRAPH_MAX, overTop: "cap", expand: new Set() };
  // UNCONFIRMED: the docs omit @odata.context; this is the form Graph sends for these entity sets.
  const graphContext = (set: string) => `https://graph.microsoft.com/v1.0/$metadata#security/${set}`;

  /** Absolute next page URL on the simulator, with the literal `$skip` Graph uses. */
  const nextLink = (c: Call, skip: number): string => {
    const parts: string[] = [];
    for (const [k, v] of c.req.query) if (k.toLowerCase() !== "$skip") parts.push(`${k}=${encodeURIComponent(v)}`);
    parts.push(`$skip=${skip}`);
    return `${ctx.baseUrl}/${c.host}${c.req.url.pathname.slice(c.host.length + 1)}?${parts.join("&")}`;
  };

  const graphPage = <T>(c: Call, items: T[], q: { top: number; skip: number; count: boolean }, context: string, render: (t: T) => unknown): SimResult => {
    const page = items.slice(q.skip, q.skip + q.top);
    const body: Record<string, unknown> = { "@odata.context": context };
    if (q.count) body["@odata.count"] = items.length;
    if (q.skip + q.top < items.length) body["@odata.nextLink"] = nextLink(c, q.skip + q.top);
    body.value = page.map(render);
    return json(200, body, { "OData-Version": "4.0" });
  };

  const graphIncidents = (c: Call): SimResult => {
    const q = parseListQuery(c.req.query, GRAPH_INCIDENT_FIELDS(c.data), GRAPH_INCIDENT_RULES);
    const expand = q.expand === "alerts";
    const matching = c.data.incidents.filter((r) => !q.filter || q.filter(r)).sort(byUpdateDesc);
    return graphPage(c, matching, q, expand ? `${graphContext("incidents")}(alerts())` : graphContext("incidents"), (r) =>
      spelled(c, graphIncident(incidentView(seed, c.data, r), c.tenant.id, expand)),
    );
  };

  const graphIncidentGet = (c: Call): SimResult => {
    const q = parseListQuery(c.req.query, {}, { ...GRAPH_INCIDENT_RULES, allowed: new Set(["$expand"]) });
    const raw = c.req.params.id ?? "";
    const inc = /^\d{1,15}$/.test(raw) ? c.data.byId.get(Number(raw)) : undefined;
    // UNCONFIRMED: Graph's 404 code/message for an unknown incident.
    if (!inc) throw new ApiFailure(404, "NotFound", `Incident with id '${raw}' was not found.`);
    const expand = q.expand === "alerts";
    return json(200, {
      "@odata.context": `${graphContext("incidents")}${expand ? "(alerts())" : ""}/$entity`,
      ...spelled(c, graphIncident(incidentView(seed, c.data, inc), c.tenant.id, expand)),
    });
  };

  const allAlerts = (data: TenantData): AlertView[] => {
    const out: AlertView[] = [];
    for (const inc of data.incidents) inc.alerts.forEach((a, n) => out.push(alertView(seed, data, inc, a, n)));
    return out;
  };

  const graphAlerts = (c: Call): SimResult => {
    const q = parseListQuery(c.req.query, GRAPH_ALERT_FIELDS, GRAPH_ALERT_RULES);
    const matching = allAlerts(c.data)
      .filter((a) => !q.filter || q.filter(a))
      .sort((x, y) => y.lastUpdatedMs - x.lastUpdatedMs || (x.alertId < y.alertId ? 1 : -1));
    return graphPage(c, matching, q, graphContext("alerts_v2"), (a) => spelled(c, graphAlert(a, c.tenant.id)));
  };

  const graphAlertGet = (c: Call): SimResult => {
    parseListQuery(c.req.query, {}, { ...GRAPH_ALERT_RULES, allowed: new Set() });
    const id = c.req.params.id ?? "";
    const alert = allAlerts(c.data).find((a) => a.alertId === id);
    if (!alert) throw new ApiFailure(404, "NotFound", `Alert with id '${id}' was not found.`);
    return json(200, { "@odata.context": `${graphContext("alerts_v2")}/$entity`, ...spelled(c, graphAlert(alert, c.tenant.id)) });
  };

  // -------------------------------------------------------------------------------------------
  // Legacy SIEM (pull-alerts-using-rest-api.md)
  // -------------------------------------------------------------------------------------------

  const siemAlerts = (c: Call): SimResult => {
    const param = (name: string): string | null => {
      for (const [k, v] of c.req.query) if (k.toLowerCase() === name.toLowerCase()) return v;
      return null;
    };
    const all = (name: string): string[] => [...c.req.query].filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
    const bad = (what: string) => new ApiFailure(400, "InvalidInput", `Invalid input ${what}.`);
    const time = (name: string): number | null => {
      const v = param(name);
      if (v === null) return null;
      // The docs' example omits the zone ("2016-09-12T00:00:00.000"): read as UTC.
      const ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/i.test(v) ? v : `${v}Z`);
      if (Number.isNaN(ms)) throw bad(name);
      return ms;
    };
    const now = Date.now();
    const agoText = param("ago");
    const ago = agoText === null ? null : isoDuration(agoText);
    if (agoText !== null && ago === null) throw bad("ago");
    const since = time("sinceTimeUtc") ?? (ago !== null ? now - ago : now - 2 * 3_600_000);
    const until = time("untilTimeUtc") ?? now;
    const limitText = param("limit");
    if (limitText !== null && !/^\d+$/.test(limitText)) throw bad("limit");
    const groups = all("machinegroups");
    const deviceTag = param("DeviceCreatedMachineTags");
    const cloudTag = param("CloudCreatedMachineTags");
    let items = mdeAlerts(c.data)
      .filter((a) => a.lastUpdatedMs >= since && a.lastUpdatedMs <= until)
      .filter((a) => groups.length === 0 || groups.includes(a.devices[0]?.rbacGroupName ?? ""))
      .filter((a) => deviceTag === null || (a.devices[0]?.deviceTags ?? []).includes(deviceTag))
      .filter((a) => cloudTag === null || (a.devices[0]?.cloudTags ?? []).includes(cloudTag))
      .sort((x, y) => x.lastUpdatedMs - y.lastUpdatedMs || (x.alertId < y.alertId ? -1 : 1));
    // "Most recent alerts will be retrieved based on the number defined."
    if (limitText !== null) items = items.slice(Math.max(0, items.length - Number(limitText)));
    // Bare JSON array, oldest first (UNCONFIRMED order).
    return json(
      200,
      items.map((a) => siemDetection(a, a.lastUpdatedMs)),
    );
  };

  // -------------------------------------------------------------------------------------------
  // MDE machine actions (isolate-machine.md, unisolate-machine.md, run-av-scan.md, collect-investigation-package.md,
  // get-machineaction-object.md, get-package-sas-uri.md)
  // -------------------------------------------------------------------------------------------

  const actions = svc.machineActions;
  const machineActionPost =
    (type: MachineActionType) =>
    (c: Call): SimResult => {
      const raw = c.req.params.id ?? "";
      const machine = /^[0-9a-f]{40}$/i.test(raw) ? findMachine(c.data, raw) : undefined;
      // common-errors.md ResourceNotFound (404). UNCONFIRMED exact wording for a machine.
      if (!machine) throw new ApiFailure(404, "ResourceNotFound", `Machine ${raw} was not found`);
      let body: unknown;
      try {
        body = c.req.json();
      } catch (err) {
        if (err instanceof HttpError) throw new ApiFailure(400, "InvalidRequestBody", "Request body is incorrect");
        throw err;
      }
      const parsed = ACTION_BODIES[type].safeParse(body ?? {});
      // common-errors.md: InvalidRequestBody (400); body parameters are case-sensitive; Comment is required.
      if (!parsed.success) throw new ApiFailure(400, "InvalidRequestBody", "Request body is incorrect");
      if (actions.active(c.tenant.id, machine.mdatpDeviceId, type)) {
        // collect-investigation-package.md: "If a collection is already running, this returns 400 Bad Request." The code
        // ActiveRequestAlreadyExists is observed from the service (e.g. TheHive Cortex analyzers match on it); the
        // message is UNCONFIRMED.
        throw new ApiFailure(400, "ActiveRequestAlreadyExists", "Action is already in progress");
      }
      const isolated = actions.isolated(c.tenant.id, machine.mdatpDeviceId);
      // UNCONFIRMED wording: isolating an isolated device (or releasing one that is not) is refused with a 400.
      if (type === "Isolate" && isolated) throw new ApiFailure(400, "InvalidRequest", "Machine is already isolated");
      if (type === "Unisolate" && !isolated) throw new ApiFailure(400, "InvalidRequest", "Machine is not isolated");
      const b = parsed.data;
      const rec = actions.create({
        tenantId: c.tenant.id,
        type,
        scope: type === "Isolate" ? (b.IsolationType ?? "Full") : type === "RunAntiVirusScan" ? (b.ScanType ?? "Full") : null,
        machineId: machine.mdatpDeviceId,
        computerDnsName: machine.deviceDnsName,
        // UNCONFIRMED: an action asked with an app token names the app as requestor; with a user token, the user's UPN
        // (machineaction.md: "requestor: ID of the user that executed the action").
        requestor: c.actor.name,
        requestorComment: b.Comment,
        body,
      });
      return json(201, { "@odata.context": `https://${c.host}/api/$metadata#MachineActions/$entity`, ...machineActionView(actions, rec) });
    };

  const findAction = (c: Call) => {
    const raw = c.req.params.id ?? "";
    const rec = actions.find(c.tenant.id, raw);
    // UNCONFIRMED wording.
    if (!rec) throw new ApiFailure(404, "ResourceNotFound", `MachineAction ${raw} was not found`);
    return rec;
  };

  const machineActionGet = (c: Call): SimResult =>
    json(200, { "@odata.context": `https://${c.host}/api/$metadata#MachineActions/$entity`, ...machineActionView(actions, findAction(c)) });

  const packageUri = (c: Call): SimResult => {
    const rec = findAction(c);
    // get-package-sas-uri.md: "If the machine action for the collection exists but isn't complete, this returns 404".
    if (rec.type !== "CollectInvestigationPackage" || actions.status(rec) !== "Succeeded") {
      throw new ApiFailure(404, "ResourceNotFound", `Investigation package for action ${rec.id} is not available`);
    }
    // The documented example wraps the link in literal quotes inside the string value; kept as documented.
    const link = `https://userrequests-us.securitycenter.windows.com:443/safedownload/WDATP_Investigation_Package.zip?token=${rec.id.replace(/-/g, "")}`;
    return json(200, { "@odata.context": `https://${c.host}/api/$metadata#Edm.String`, value: `"${link}"` });
  };

  // -------------------------------------------------------------------------------------------
  // Graph advanced hunting (security-security-runhuntingquery.md): simulator/hunting/service.ts
  // -------------------------------------------------------------------------------------------

  const runHuntingQuery = (c: Call): Promise<SimResult> => {
    let body: unknown;
    try {
      body = c.req.json();
    } catch (err) {
      // UNCONFIRMED wording for a body that is not JSON.
      if (err instanceof HttpError) return Promise.resolve(apiError("graph", c.ids, 400, "BadRequest", "The request body is not valid JSON."));
      throw err;
    }
    return svc.hunting.run({
      tenantId: c.tenant.id,
      tenantDisplayName: c.tenant.displayName,
      data: c.data,
      body,
      error: (status, code, message, headers) => apiError("graph", c.ids, status, code, message, headers),
    });
  };

  // -------------------------------------------------------------------------------------------
  // Routes
  // -------------------------------------------------------------------------------------------

  const route =
    (api: Api, endpoint: string, roles: readonly string[], fn: (c: Call) => SimResult | Promise<SimResult>, userPermission?: DefenderRolePermission) =>
    (req: SimRequest) =>
      run(api, endpoint, roles, req, fn, userPermission);
  const host = (req: SimRequest) => (req.params.host ?? "").toLowerCase();

  const xdrListH = route("xdr", "xdr.incidents.list", XDR_READ, xdrList);
  const xdrGetH = route("xdr", "xdr.incidents.get", XDR_READ, xdrGet);
  const xdrPatchH = route("xdr", "xdr.incidents.update", ["Incident.ReadWrite.All"], xdrPatch, "Alerts investigation");
  const mdeListH = route("mde", "mde.alerts.list", MDE_READ, mdeList);
  const mdeGetH = route("mde", "mde.alerts.get", MDE_READ, mdeGet);
  // The SIEM integration app needs no app role (its token is for https://graph.windows.net).
  const siemH = route("siem", "siem.alerts", [], siemAlerts);

  // The machine-action endpoints record every request that reaches the simulator, before any check.
  const MACHINE_READ = ["Machine.Read.All", "Machine.ReadWrite.All"];
  const recorded = (fn: (req: SimRequest) => Promise<SimResult>) => (req: SimRequest) => {
    actions.received.push({ method: req.method, path: req.url.pathname, atMs: Date.now() });
    return MDE_HOSTS.has(host(req)) ? fn(req) : Promise.resolve(unknownHost(req));
  };
  const machineRoutes: Route[] = [
    ["isolate", "Isolate", ["Machine.Isolate"]],
    ["unisolate", "Unisolate", ["Machine.Isolate"]],
    ["runAntiVirusScan", "RunAntiVirusScan", ["Machine.Scan"]],
    ["collectInvestigationPackage", "CollectInvestigationPackage", ["Machine.CollectForensics"]],
  ].map(([segment, type, roles]) => ({
    method: "POST" as const,
    path: `/:host/api/machines/:id/${segment as string}`,
    handler: recorded(
      route("mde", `mde.machines.${segment as string}`, roles as string[], machineActionPost(type as MachineActionType), "Active remediation actions"),
    ),
  }));

  return [
    ...machineRoutes,
    { method: "GET", path: "/:host/api/machineactions/:id", handler: recorded(route("mde", "mde.machineactions.get", MACHINE_READ, machineActionGet)) },
    // get-package-sas-uri.md spells the segment getPackageUri and GetPackageUri; literals match case-insensitively.
    {
      method: "GET",
      path: "/:host/api/machineactions/:id/GetPackageUri",
      handler: recorded(route("mde", "mde.machineactions.packageUri", MACHINE_READ, packageUri)),
    },
    { method: "GET", path: "/:host/api/incidents", handler: (req) => (XDR_HOSTS.has(host(req)) ? xdrListH(req) : unknownHost(req)) },
    { method: "GET", path: "/:host/api/incidents/:id", handler: (req) => (XDR_HOSTS.has(host(req)) ? xdrGetH(req) : unknownHost(req)) },
    { method: "PATCH", path: "/:host/api/incidents/:id", handler: (req) => (XDR_HOSTS.has(host(req)) ? xdrPatchH(req) : unknownHost(req)) },
    {
      method: "GET",
      path: "/:host/api/alerts",
      handler: (req) => (SIEM_HOSTS.has(host(req)) ? siemH(req) : MDE_HOSTS.has(host(req)) ? mdeListH(req) : unknownHost(req)),
    },
    { method: "GET", path: "/:host/api/alerts/:id", handler: (req) => (MDE_HOSTS.has(host(req)) ? mdeGetH(req) : unknownHost(req)) },
    { method: "GET", path: "/:host/api/v1.0/alerts", handler: (req) => (MDE_HOSTS.has(host(req)) ? mdeListH(req) : unknownHost(req)) },
    { method: "GET", path: "/:host/api/v1.0/alerts/:id", handler: (req) => (MDE_HOSTS.has(host(req)) ? mdeGetH(req) : unknownHost(req)) },
    {
      method: "GET",
      path: "/:host/v1.0/security/incidents",
      handler: (req) =>
        GRAPH_HOSTS.has(host(req))
          ? route("graph", "graph.incidents.list", ["SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"], graphIncidents)(req)
          : unknownHost(req),
    },
    {
      method: "GET",
      path: "/:host/v1.0/security/incidents/:id",
      handler: (req) =>
        GRAPH_HOSTS.has(host(req))
          ? route("graph", "graph.incidents.get", ["SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"], graphIncidentGet)(req)
          : unknownHost(req),
    },
    {
      method: "POST",
      path: "/:host/v1.0/security/runHuntingQuery",
      handler: (req) =>
        GRAPH_HOSTS.has(host(req)) ? route("hunting", "graph.runHuntingQuery", ["ThreatHunting.Read.All"], runHuntingQuery)(req) : unknownHost(req),
    },
    {
      method: "GET",
      path: "/:host/v1.0/security/alerts_v2",
      handler: (req) =>
        GRAPH_HOSTS.has(host(req))
          ? route("graph", "graph.alerts_v2.list", ["SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"], graphAlerts)(req)
          : unknownHost(req),
    },
    {
      method: "GET",
      path: "/:host/v1.0/security/alerts_v2/:id",
      handler: (req) =>
        GRAPH_HOSTS.has(host(req))
          ? route("graph", "graph.alerts_v2.get", ["SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"], graphAlertGet)(req)
          : unknownHost(req),
    },
  ];
}

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** ISO 8601 duration (PnDTnHnMnS, PnW) in ms; null when invalid. */
export function isoDuration(s: string): number | null {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(s.trim());
  if (!m || s.trim().toUpperCase() === "P" || /T$/i.test(s.trim())) return null;
  const [, w, d, h, min, sec] = m;
  return ((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 * 3600 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(sec ?? 0)) * 1000;
}

// ---------------------------------------------------------------------------------------------
// Token check
// ---------------------------------------------------------------------------------------------

function authenticate(ctx: SimulatorContext, api: Api, req: SimRequest, ids: CallIds): { claims: AccessTokenClaims } | { result: SimResult } {
  const family = FAMILY[api];
  const header = req.headers.authorization;
  const bearer = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  const unauthorized = (graphMessage: string): { result: SimResult } => ({
    result:
      family === "graph"
        ? // Observed Graph bodies: InvalidAuthenticationToken with "Access token is empty." / "... Invalid audience.".
          apiError(family, ids, 401, "InvalidAuthenticationToken", graphMessage, { "WWW-Authenticate": 'Bearer realm="", error="invalid_token"' })
        : // common-errors.md: Unauthorized (401), invalid or expired authorization header.
          apiError(family, ids, 401, "Unauthorized", "Unauthorized", { "WWW-Authenticate": 'Bearer error="invalid_token"' }),
  });
  if (!bearer) return unauthorized("Access token is empty.");
  try {
    const claims = ctx.verifyAccessToken(bearer, { audience: (aud) => audienceMatches(aud, RESOURCE[api]) });
    return { claims };
  } catch (err) {
    if (!(err instanceof AccessTokenError)) throw err;
    switch (err.reason) {
      case "audience":
        return unauthorized("Access token validation failure. Invalid audience.");
      case "expired":
        // UNCONFIRMED wording.
        return unauthorized("Lifetime validation failed, the token is expired.");
      default:
        // UNCONFIRMED wording for malformed / bad-signature tokens.
        return unauthorized("Access token validation failure.");
    }
  }
}
