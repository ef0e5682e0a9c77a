// Shared state of the Defender simulation: the data model, per-tenant quotas and fault knobs, global settings and the
// ticker. HTTP lives in api.ts (data APIs) and control.ts (/_sim/ endpoints).
import { randomUUID } from "node:crypto";
import type { SimulatorContext } from "../context.ts";
import { tokenError } from "../context.ts";
import type { Tenant } from "../directory.ts";
import { json, type SimRequest, type SimResult } from "../http.ts";
import { HuntingService } from "../hunting/service.ts";
import { MachineActionStore } from "./machine-actions.ts";
import { DefenderModel, Rng, type TenantData } from "./model.ts";

export interface DefenderOptions {
  /** Incidents generated per licensed tenant on first access (default 40). */
  incidentsPerTenant?: number;
  /** Ticker period; every materialized tenant gets {create: 1, update: 2} per tick. 0 = off (default). */
  tickIntervalMs?: number;
  /** Enforce the documented per-tenant quotas (default true). */
  quotas?: boolean;
  /** Latency added to every data request (default 0); per-tenant faults may override it. */
  latencyMs?: number;
  /** How long a request picked by `timeoutRate` hangs before its socket is closed (default 120 s). */
  hangMs?: number;
  /** Anchor of generated timestamps (default: start time floored to the hour). Two simulators with the same seed and
   * anchor serve identical data. */
  epochMs?: number;
}

/** `hunting` is Graph's runHuntingQuery: the Graph family, with its own quotas (simulator/hunting/service.ts). */
export type Api = "xdr" | "mde" | "graph" | "siem" | "hunting";

/** Documented quotas: XDR api-list-incidents.md (50/min, 1,500/h); MDE get-alerts.md (100/min, 1,500/h); Graph
 * throttling limits for security alerts/incidents (150/min per app per tenant). The SIEM API documents none. */
export const QUOTAS: Record<Api, { perMinute: number; perHour: number | null } | null> = {
  xdr: { perMinute: 50, perHour: 1500 },
  mde: { perMinute: 100, perHour: 1500 },
  graph: { perMinute: 150, perHour: null },
  siem: null,
  hunting: null,
};

export interface Faults {
  latencyMs?: number;
  errorRate?: number;
  timeoutRate?: number;
  malformedRate?: number;
  throttleRate?: number;
  tokenEndpointDown?: boolean;
}

interface Window {
  start: number;
  count: number;
}

/**
 * The spellings Microsoft's own examples mix: `enumCase` "pascal" answers Graph like api/security-list-incidents.md
 * Example 1 and security-incident-get.md ("Medium", "Active", "TruePositive"); "camel" answers the Defender APIs in
 * Graph's casing. `graphTags` "tags" sends incident tags as Example 2 of security-list-incidents.md does.
 */
export interface Spelling {
  enumCase: "documented" | "pascal" | "camel";
  graphTags: "customTags" | "tags";
}
export const DOCUMENTED_SPELLING: Spelling = { enumCase: "documented", graphTags: "customTags" };

export type FaultDecision =
  { kind: "none" } | { kind: "timeout" } | { kind: "error"; status: 500 | 503 } | { kind: "throttle"; retryAfter: number } | { kind: "malformed" };

/** One change made through the incident update API, and who Microsoft records as having made it. */
export interface ChangeRecord {
  tenantId: string;
  incidentId: number;
  actor: { type: "user" | "application"; name: string; oid: string };
  fields: string[];
  atMs: number;
}

export class DefenderService {
  readonly model: DefenderModel;
  /** Incident changes in arrival order (GET /_sim/tenants/{id}/defender/changes), at most the last 1,000. */
  readonly changes: ChangeRecord[] = [];
  /** Device response actions (machine-actions.ts). */
  readonly machineActions = new MachineActionStore();
  /** Advanced hunting (runHuntingQuery): tables, KQL, its own quotas and knobs. */
  readonly hunting: HuntingService;
  readonly settings: { quotas: boolean; latencyMs: number; tickIntervalMs: number; hangMs: number };
  private readonly faults = new Map<string, { faults: Faults; rng: Rng }>();
  private readonly tenantQuotas = new Map<string, boolean>();
  private readonly spellings = new Map<string, Spelling>();
  private readonly windows = new Map<string, { minute: Window; hour: Window }>();
  private ticker: NodeJS.Timeout | undefined;

  recordChange(change: ChangeRecord): void {
    this.changes.push(change);
    if (this.changes.length > 1000) this.changes.splice(0, this.changes.length - 1000);
  }

  constructor(
    private readonly ctx: SimulatorContext,
    opts: DefenderOptions = {},
  ) {
    const anchor = opts.epochMs ?? Math.floor(Date.now() / 3_600_000) * 3_600_000;
    this.model = new DefenderModel(ctx.directory.seed, anchor, opts.incidentsPerTenant ?? 40);
    this.hunting = new HuntingService(ctx.directory.seed, anchor);
    this.settings = { quotas: opts.quotas ?? true, latencyMs: opts.latencyMs ?? 0, tickIntervalMs: 0, hangMs: opts.hangMs ?? 120_000 };
    this.setTickInterval(opts.tickIntervalMs ?? 0);
  }

  // --- tenants -------------------------------------------------------------------------------

  findTenant(id: string): Tenant | undefined {
    return this.ctx.directory.findTenant(id.toLowerCase());
  }

  /** Licensed customer tenants have Defender data; others have none. */
  hasDefender(t: Tenant): boolean {
    return t.kind === "customer" && t.defenderLicence;
  }

  data(t: Tenant): TenantData {
    return this.model.tenant(t.id, t.domain);
  }

  // --- ticker --------------------------------------------------------------------------------

  setTickInterval(ms: number): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    this.settings.tickIntervalMs = ms;
    if (ms > 0) {
      this.ticker = setInterval(() => {
        for (const data of this.model.allMaterialized()) this.model.tick(data, 1, 2);
      }, ms);
      this.ticker.unref();
    }
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
  }

  // --- quotas --------------------------------------------------------------------------------

  // --- spelling ------------------------------------------------------------------------------

  /** How this tenant's answers spell enum values and Graph incident tags (render.ts `respell`). */
  spelling(tenantId: string): Spelling {
    return this.spellings.get(tenantId) ?? DOCUMENTED_SPELLING;
  }

  setSpelling(tenantId: string, change: Partial<Spelling>): Spelling {
    const next = { ...this.spelling(tenantId), ...change };
    this.spellings.set(tenantId, next);
    return next;
  }

  setTenantQuotas(tenantId: string, enabled: boolean | null): void {
    if (enabled === null) this.tenantQuotas.delete(tenantId);
    else this.tenantQuotas.set(tenantId, enabled);
  }

  quotasEnabled(tenantId: string): boolean {
    return this.tenantQuotas.get(tenantId) ?? this.settings.quotas;
  }

  resetQuotas(tenantId: string): void {
    for (const key of [...this.windows.keys()]) if (key.startsWith(`${tenantId}|`)) this.windows.delete(key);
  }

  /** Counts one call; returns the seconds to wait when a window is exhausted (the call is then not counted). */
  takeQuota(tenantId: string, api: Api, now = Date.now()): { retryAfter: number; limit: string } | null {
    const q = QUOTAS[api];
    if (!q || !this.quotasEnabled(tenantId)) return null;
    const key = `${tenantId}|${api}`;
    let w = this.windows.get(key);
    if (!w) {
      w = { minute: { start: now, count: 0 }, hour: { start: now, count: 0 } };
      this.windows.set(key, w);
    }
    if (now - w.minute.start >= 60_000) w.minute = { start: now, count: 0 };
    if (now - w.hour.start >= 3_600_000) w.hour = { start: now, count: 0 };
    if (w.minute.count >= q.perMinute)
      return { retryAfter: Math.max(1, Math.ceil((w.minute.start + 60_000 - now) / 1000)), limit: `${q.perMinute} per 1 minute(s)` };
    if (q.perHour !== null && w.hour.count >= q.perHour)
      return { retryAfter: Math.max(1, Math.ceil((w.hour.start + 3_600_000 - now) / 1000)), limit: `${q.perHour} per 1 hour(s)` };
    w.minute.count++;
    w.hour.count++;
    return null;
  }

  // --- faults --------------------------------------------------------------------------------

  getFaults(tenantId: string): Faults {
    return { ...(this.faults.get(tenantId)?.faults ?? {}) };
  }

  /** Replaces the tenant's knobs; the fault PRNG restarts so a run with the same knobs is reproducible. */
  setFaults(tenantId: string, faults: Faults): void {
    if (Object.keys(faults).length === 0) this.faults.delete(tenantId);
    else this.faults.set(tenantId, { faults, rng: new Rng(`${this.model.seed}|${tenantId}|faults`) });
  }

  latencyFor(tenantId: string): number {
    return this.faults.get(tenantId)?.faults.latencyMs ?? this.settings.latencyMs;
  }

  decideFault(tenantId: string): FaultDecision {
    const f = this.faults.get(tenantId);
    if (!f) return { kind: "none" };
    const { faults, rng } = f;
    // One draw per request, cumulative ranges in a fixed order, plus one draw for the detail.
    const u = rng.next();
    const detail = rng.next();
    let edge = faults.timeoutRate ?? 0;
    if (u < edge) return { kind: "timeout" };
    edge += faults.errorRate ?? 0;
    if (u < edge) return { kind: "error", status: detail < 0.5 ? 500 : 503 };
    edge += faults.throttleRate ?? 0;
    if (u < edge) return { kind: "throttle", retryAfter: 1 + Math.floor(detail * 5) };
    edge += faults.malformedRate ?? 0;
    if (u < edge) return { kind: "malformed" };
    return { kind: "none" };
  }

  /** Runs before the token endpoint: `tokenEndpointDown` makes it answer 503 for that tenant. */
  tokenGate(req: SimRequest): SimResult | undefined {
    const tenant = this.findTenant(req.params.tenant ?? "");
    if (!tenant || !this.faults.get(tenant.id)?.faults.tokenEndpointDown) return undefined;
    this.ctx.counters.hit("token.unavailable", tenant.id);
    // UNCONFIRMED: Entra's body for an outage is not documented; AADSTS90033 ("A transient error has occurred") with
    // temporarily_unavailable and a Retry-After is what a client must survive.
    const result = tokenError(this.ctx, req, 503, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.");
    return { ...result, headers: { ...(result.headers ?? {}), "Retry-After": "5" } };
  }
}

// ---------------------------------------------------------------------------------------------
// Error bodies
// ---------------------------------------------------------------------------------------------

export type Family = "defender" | "graph";

export interface CallIds {
  requestId: string;
  clientRequestId: string;
}

export function callIds(req: SimRequest): CallIds {
  const requestId = randomUUID();
  const h = req.headers["client-request-id"];
  return { requestId, clientRequestId: typeof h === "string" && h.length <= 100 ? h : requestId };
}

/** Graph's innerError date: "2025-09-01T15:15:04" (no fraction, no zone), as in observed error bodies. */
const graphDate = () => new Date().toISOString().slice(0, 19);

export function apiError(family: Family, ids: CallIds, status: number, code: string, message: string, headers: Record<string, string> = {}): SimResult {
  const common = { "request-id": ids.requestId, "client-request-id": ids.clientRequestId, ...headers };
  if (family === "graph") {
    // Graph error body (graph docs concepts/errors.md; innerError fields as observed in 403 bodies from the wild).
    return json(
      status,
      { error: { code, message, innerError: { date: graphDate(), "request-id": ids.requestId, "client-request-id": ids.clientRequestId } } },
      common,
    );
  }
  // defender-endpoint/api/common-errors.md, defender-xdr/api-error-codes.md: `target` carries the request id.
  return json(status, { error: { code, message, target: ids.requestId } }, common);
}
