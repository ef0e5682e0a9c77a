// Microsoft Graph advanced hunting for the simulator: POST /v1.0/security/runHuntingQuery
// (graph-docs api-reference/v1.0/api/security-security-runhuntingquery.md), served through the Defender simulation's
// Graph pipeline (simulator/defender/api.ts: token, ThreatHunting.Read.All, licence, fault knobs) and then:
//   failNext knob -> calls per minute (429) -> CPU quota per 15-minute cycle (429) -> body (400) -> Timespan (400)
//   -> KQL (400) -> slowMs / timeout (400) -> 200 {schema, results}, at most maxRows rows.
// Limits as documented for the hunting API (defender-xdr/api-advanced-hunting.md, "Quotas and resource allocation"):
// data of the past 30 days; up to 100,000 rows; at least 45 calls per minute per tenant; a CPU quota per tenant reset
// every 15 minutes; a request running more than three minutes times out; 429 for either quota, the body says which.
import type { SimResult } from "../http.ts";
import { json } from "../http.ts";
import type { TenantData } from "../defender/model.ts";
import { formatTimespan, KqlError, parseDate, runQuery, type KType, type Row, type Table, type Value } from "./kql.ts";
import { buildTable } from "./tables.ts";

const DAY = 86_400_000;
/** api-advanced-hunting.md: "Queries explore and return data from the past 30 days." (advanced-hunting-limits.md: 30 days
 * for Defender XDR data unless streamed through Microsoft Sentinel.) A longer Timespan is accepted (the runHuntingQuery
 * page's own example sends P90D) but finds nothing older. */
export const RETENTION_MS = 30 * DAY;
/** runHuntingQuery.md: "If not provided, the default timespan of 30 days will be used". */
export const DEFAULT_TIMESPAN_MS = 30 * DAY;
const CYCLE_MS = 15 * 60_000;

export interface FailNext {
  status: number;
  code: string;
  message: string;
  /** How many of the tenant's next calls get this answer (default 1). */
  times?: number;
}

export interface HuntingKnobs {
  /** Latency added to every query (ms); a query whose latency reaches timeoutMs times out. */
  slowMs: number;
  /** api-advanced-hunting.md: "at least 45 calls per minute per tenant". */
  callsPerMinute: number;
  /** Simulated CPU budget per tenant per 15-minute cycle, in simulated CPU-ms (a query costs 10 + 0.05 per row scanned). */
  cpuBudgetMsPer15Min: number;
  /** api-advanced-hunting.md: "If a single request runs for more than three minutes, it times out". */
  timeoutMs: number;
  /** api-advanced-hunting.md: "Results can return up to 100,000 rows." Longer results are cut to this many rows. */
  maxRows: number;
  failNext: FailNext | null;
}

export const DEFAULT_HUNTING_KNOBS: HuntingKnobs = {
  slowMs: 0,
  callsPerMinute: 45,
  // UNCONFIRMED: Microsoft sizes the quota "based on the tenant size" and publishes no figure; 15 simulated CPU-minutes
  // per cycle is never reached by 45 calls a minute over the simulator's tables, so only a test that lowers it sees 429.
  cpuBudgetMsPer15Min: 900_000,
  timeoutMs: 180_000,
  maxRows: 100_000,
  failNext: null,
};

export const CPU_MS_BASE = 10;
export const CPU_MS_PER_ROW = 0.05;

/** Schema type names as the API spells them. String and DateTime are in the docs' examples; the others follow the same
 * .NET naming (UNCONFIRMED: Int32, Int64, Double, Boolean, TimeSpan, and Object for dynamic). */
export const SCHEMA_TYPE: Record<KType, string> = {
  string: "String",
  long: "Int64",
  int: "Int32",
  real: "Double",
  bool: "Boolean",
  datetime: "DateTime",
  timespan: "TimeSpan",
  dynamic: "Object",
};

export interface HuntingCounters {
  /** Calls that reached the hunting handler (after the token, role and licence checks). */
  calls: number;
  ok: number;
  badRequests: number;
  /** 429s for the calls-per-minute limit. */
  throttledRate: number;
  /** 429s for the CPU quota. */
  throttledCpu: number;
  timeouts: number;
  /** Answers forced by the failNext knob. */
  injectedFailures: number;
  truncated: number;
  rowsReturned: number;
  cpuMsUsed: number;
  /** Most calls of this tenant running at the same time. */
  maxInFlight: number;
  /** Most calls that reached the handler within any 60-second window (429s included). */
  peakCallsPerMinute: number;
}

interface TenantState {
  minute: { start: number; count: number };
  cpu: { start: number; usedMs: number };
  counters: HuntingCounters;
  inFlight: number;
  /** Arrival times of the last calls (for peakCallsPerMinute), bounded. */
  arrivals: number[];
}

const emptyCounters = (): HuntingCounters => ({
  calls: 0,
  ok: 0,
  badRequests: 0,
  throttledRate: 0,
  throttledCpu: 0,
  timeouts: 0,
  injectedFailures: 0,
  truncated: 0,
  rowsReturned: 0,
  cpuMsUsed: 0,
  maxInFlight: 0,
  peakCallsPerMinute: 0,
});

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
  });

/** ISO 8601 duration (PnW, PnDTnHnMnS) in ms; null when it is not one. */
export function isoDurationMs(s: string): number | null {
  const t = s.trim();
  const m = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(t);
  if (!m || /^P$/i.test(t) || /T$/i.test(t)) return null;
  const [, w, d, h, min, sec] = m;
  return Math.round(((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 * 3600 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(sec ?? 0)) * 1000);
}

/**
 * The query window of a Timespan, in the five forms runHuntingQuery.md lists: "P30D" (back from now), "start/end",
 * "P30D/end", "start/P30D", and a single start date (until now). Null when unreadable.
 */
export function timespanWindow(text: string, nowMs: number): { startMs: number; endMs: number } | null {
  const part = (p: string): { dur: number } | { at: number } | null => {
    const dur = isoDurationMs(p);
    if (dur !== null) return { dur };
    const at = parseDate(p);
    return at === null ? null : { at };
  };
  const pieces = text.split("/");
  if (pieces.length === 1) {
    const a = part(pieces[0]!);
    if (!a) return null;
    return "dur" in a ? { startMs: nowMs - a.dur, endMs: nowMs } : { startMs: a.at, endMs: nowMs };
  }
  if (pieces.length !== 2) return null;
  const a = part(pieces[0]!);
  const b = part(pieces[1]!);
  if (!a || !b) return null;
  if ("at" in a && "at" in b) return a.at <= b.at ? { startMs: a.at, endMs: b.at } : null;
  if ("dur" in a && "at" in b) return { startMs: b.at - a.dur, endMs: b.at };
  if ("at" in a && "dur" in b) return { startMs: a.at, endMs: a.at + b.dur };
  return null;
}

/** "hh:mm:ss" for the CPU-quota message. */
function clock(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  const p2 = (n: number) => String(n).padStart(2, "0");
  return `${p2(Math.floor(s / 3600))}:${p2(Math.floor((s % 3600) / 60))}:${p2(s % 60)}`;
}

const iso7 = (ms: number) => new Date(ms).toISOString().replace("Z", "0000Z");

function renderValue(v: Value, t: KType): Value {
  if (v === null || v === undefined) return null;
  if (t === "datetime" && typeof v === "number") return iso7(v);
  if (t === "timespan" && typeof v === "number") return formatTimespan(v);
  return v;
}

export interface HuntingCall {
  tenantId: string;
  tenantDisplayName: string;
  data: TenantData;
  body: unknown;
  /** Builds a Graph error answer (defender/service.ts apiError with the call's ids). */
  error: (status: number, code: string, message: string, headers?: Record<string, string>) => SimResult;
}

/** Generated tables, shared by the queries of every tenant: least recently used first out, bounded by total rows. */
class TableCache {
  private readonly entries = new Map<string, { version: string; table: Table }>();
  private rows = 0;
  constructor(public maxRows: number) {}

  get(key: string, version: string, build: () => Table | undefined): Table | undefined {
    const hit = this.entries.get(key);
    if (hit && hit.version === version) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.table;
    }
    if (hit) this.drop(key);
    const table = build();
    if (!table) return undefined;
    this.entries.set(key, { version, table });
    this.rows += table.rows.length;
    for (const k of this.entries.keys()) {
      if (this.rows <= this.maxRows || k === key) break;
      this.drop(k);
    }
    return table;
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.rows -= e.table.rows.length;
    this.entries.delete(key);
  }

  stats(): { tables: number; rows: number; maxRows: number } {
    return { tables: this.entries.size, rows: this.rows, maxRows: this.maxRows };
  }
}

export class HuntingService {
  defaults: HuntingKnobs = { ...DEFAULT_HUNTING_KNOBS };
  private readonly overrides = new Map<string, Partial<HuntingKnobs>>();
  private readonly tenants = new Map<string, TenantState>();
  /** About 40,000 rows (~8 tenants' eight tables, ~30 tenants' DeviceProcessEvents): tables of a hunt across many
   * tenants are built once each anyway; evicted tables are rebuilt identically on the next query. */
  readonly cache = new TableCache(40_000);

  constructor(
    private readonly seed: string,
    private readonly anchorMs: number,
  ) {}

  // --- knobs ---------------------------------------------------------------------------------

  knobsFor(tenantId: string): HuntingKnobs {
    return { ...this.defaults, ...(this.overrides.get(tenantId) ?? {}) };
  }

  overridesFor(tenantId: string): Partial<HuntingKnobs> {
    return { ...(this.overrides.get(tenantId) ?? {}) };
  }

  setDefaults(change: Partial<HuntingKnobs>): HuntingKnobs {
    this.defaults = { ...this.defaults, ...change };
    return { ...this.defaults };
  }

  /** Merges per-tenant overrides; a null value removes that override (the default applies again). */
  setTenant(tenantId: string, change: Record<string, unknown>): HuntingKnobs {
    const next: Record<string, unknown> = { ...(this.overrides.get(tenantId) ?? {}) };
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) continue;
      if (v === null) delete next[k];
      else next[k] = v;
    }
    if (Object.keys(next).length === 0) this.overrides.delete(tenantId);
    else this.overrides.set(tenantId, next as Partial<HuntingKnobs>);
    return this.knobsFor(tenantId);
  }

  /** One use of a failNext knob: from the tenant's override when it has one, else from the defaults. */
  private consumeFailNext(tenantId: string, f: FailNext): void {
    const left = (f.times ?? 1) - 1;
    const next = left > 0 ? { ...f, times: left } : null;
    const o = this.overrides.get(tenantId);
    if (o && o.failNext) {
      if (next) o.failNext = next;
      else {
        delete o.failNext;
        if (Object.keys(o).length === 0) this.overrides.delete(tenantId);
      }
    } else {
      this.defaults = { ...this.defaults, failNext: next };
    }
  }

  // --- counters and quota state --------------------------------------------------------------

  private state(tenantId: string): TenantState {
    let s = this.tenants.get(tenantId);
    if (!s) {
      s = { minute: { start: 0, count: 0 }, cpu: { start: 0, usedMs: 0 }, counters: emptyCounters(), inFlight: 0, arrivals: [] };
      this.tenants.set(tenantId, s);
    }
    return s;
  }

  counters(tenantId: string): HuntingCounters {
    return { ...(this.tenants.get(tenantId)?.counters ?? emptyCounters()) };
  }

  allCounters(): Record<string, HuntingCounters> {
    return Object.fromEntries([...this.tenants].map(([id, s]) => [id, { ...s.counters }]));
  }

  quotaState(tenantId: string, now = Date.now()) {
    const s = this.tenants.get(tenantId);
    const k = this.knobsFor(tenantId);
    const minuteLive = s && now - s.minute.start < 60_000;
    const cpuLive = s && now - s.cpu.start < CYCLE_MS;
    return {
      callsThisMinute: minuteLive ? s.minute.count : 0,
      callsPerMinute: k.callsPerMinute,
      cpuMsUsedThisCycle: cpuLive ? Math.round(s.cpu.usedMs * 100) / 100 : 0,
      cpuBudgetMsPer15Min: k.cpuBudgetMsPer15Min,
      cycleEndsAt: cpuLive ? new Date(s.cpu.start + CYCLE_MS).toISOString() : null,
    };
  }

  /** Clears the tenant's quota windows (calls per minute and the CPU cycle). */
  resetQuotas(tenantId: string): void {
    const s = this.tenants.get(tenantId);
    if (!s) return;
    s.minute = { start: 0, count: 0 };
    s.cpu = { start: 0, usedMs: 0 };
  }

  resetCounters(): void {
    for (const s of this.tenants.values()) {
      s.counters = emptyCounters();
      s.arrivals = [];
    }
  }

  // --- tables --------------------------------------------------------------------------------

  /** The tenant's table as generated (before any Timespan), from the bounded cache. */
  table(tenantId: string, tenantDisplayName: string, data: TenantData, name: string): Table | undefined {
    const version = `${data.clock}|${data.incidents.length}|${data.ticks}|${tenantDisplayName}`;
    return this.cache.get(`${tenantId}|${name}`, version, () => buildTable(name, { seed: this.seed, anchorMs: this.anchorMs, tenantDisplayName, data }));
  }

  // --- the API -------------------------------------------------------------------------------

  async run(call: HuntingCall): Promise<SimResult> {
    const started = Date.now();
    const s = this.state(call.tenantId);
    const k = this.knobsFor(call.tenantId);
    const c = s.counters;
    c.calls++;
    s.arrivals.push(started);
    if (s.arrivals.length > 1000) s.arrivals.splice(0, s.arrivals.length - 1000);
    c.peakCallsPerMinute = Math.max(c.peakCallsPerMinute, s.arrivals.filter((t) => started - t < 60_000).length);
    s.inFlight++;
    c.maxInFlight = Math.max(c.maxInFlight, s.inFlight);
    try {
      return await this.answer(call, s, k, started);
    } finally {
      s.inFlight--;
    }
  }

  private async answer(call: HuntingCall, s: TenantState, k: HuntingKnobs, now: number): Promise<SimResult> {
    const c = s.counters;
    if (k.failNext) {
      const f = k.failNext;
      this.consumeFailNext(call.tenantId, f);
      c.injectedFailures++;
      return call.error(f.status, f.code, f.message, f.status === 429 || f.status === 503 ? { "Retry-After": "1" } : {});
    }

    // Calls per minute (api-advanced-hunting.md item 3); a refused call is not counted.
    if (now - s.minute.start >= 60_000) s.minute = { start: now, count: 0 };
    if (s.minute.count >= k.callsPerMinute) {
      c.throttledRate++;
      const retry = Math.max(1, Math.ceil((s.minute.start + 60_000 - now) / 1000));
      // UNCONFIRMED wording; the docs say only that the body tells which limit was reached.
      return call.error(
        429,
        "TooManyRequests",
        `Rate limit exceeded: this tenant may run up to ${k.callsPerMinute} advanced hunting calls per minute. Try again in ${retry} seconds.`,
        { "Retry-After": String(retry) },
      );
    }
    // CPU quota per 15-minute cycle (item 4); wording from advanced-hunting-errors.md, "CPU throttling".
    if (now - s.cpu.start >= CYCLE_MS) s.cpu = { start: now, usedMs: 0 };
    if (s.cpu.usedMs >= k.cpuBudgetMsPer15Min) {
      c.throttledCpu++;
      const waitMs = s.cpu.start + CYCLE_MS - now;
      return call.error(
        429,
        "TooManyRequests",
        `You have exceeded processing resources allocated to this tenant. You can run queries again in ${clock(waitMs)}.`,
        { "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))) },
      );
    }
    s.minute.count++;

    const bad = (message: string) => {
      c.badRequests++;
      return call.error(400, "BadRequest", message);
    };
    // Parameters as the page spells them (Query, Timespan); matched case-insensitively like OData action parameters.
    const body = call.body && typeof call.body === "object" && !Array.isArray(call.body) ? (call.body as Record<string, unknown>) : null;
    const param = (name: string) => (body ? Object.entries(body).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1] : undefined);
    const query = param("Query");
    // UNCONFIRMED wording for a missing or empty Query.
    if (typeof query !== "string" || query.trim() === "") return bad("The 'Query' parameter is required and must be a non-empty string.");
    if (query.length > 100_000) return bad("The query is too long.");
    const timespan = param("Timespan");
    if (timespan !== undefined && timespan !== null && typeof timespan !== "string") return bad("The 'Timespan' parameter must be an ISO 8601 string.");
    let window = { startMs: now - DEFAULT_TIMESPAN_MS, endMs: now };
    if (typeof timespan === "string" && timespan.trim() !== "") {
      const w = timespanWindow(timespan, now);
      // UNCONFIRMED wording.
      if (!w) return bad(`The 'Timespan' parameter '${timespan}' is not a valid ISO 8601 duration or interval.`);
      window = w;
    }
    const from = Math.max(window.startMs, now - RETENTION_MS);
    const to = window.endMs;

    let result;
    try {
      result = runQuery(
        query,
        (name) => {
          const t = this.table(call.tenantId, call.tenantDisplayName, call.data, name);
          if (!t) return undefined;
          return { columns: t.columns, rows: t.rows.filter((r) => (r.Timestamp as number) >= from && (r.Timestamp as number) <= to) };
        },
        { nowMs: now },
      );
    } catch (err) {
      if (err instanceof KqlError) return bad(err.message);
      throw err;
    }
    const cost = CPU_MS_BASE + result.scanned * CPU_MS_PER_ROW;
    s.cpu.usedMs += cost;
    c.cpuMsUsed = Math.round((c.cpuMsUsed + cost) * 100) / 100;

    const elapsed = Date.now() - now;
    if (k.slowMs + elapsed >= k.timeoutMs) {
      await sleep(Math.max(0, k.timeoutMs - elapsed));
      c.timeouts++;
      // advanced-hunting-errors.md, "Timeouts": "Query exceeded the timeout period." UNCONFIRMED: status 400 BadRequest,
      // the way Graph answers the other query errors.
      return call.error(400, "BadRequest", "Query exceeded the timeout period.");
    }
    if (k.slowMs > 0) await sleep(k.slowMs);

    let rows = result.rows;
    // api-advanced-hunting.md: "Results can return up to 100,000 rows." UNCONFIRMED: cut without an error (the portal's
    // own limit is documented as a truncation, advanced-hunting-errors.md "Result size limit exceeded").
    if (rows.length > k.maxRows) {
      rows = rows.slice(0, k.maxRows);
      c.truncated++;
    }
    const columns = result.columns;
    const results = rows.map((r) => {
      const o: Row = {};
      for (const col of columns) o[col.name] = renderValue(r[col.name] ?? null, col.type);
      return o;
    });
    c.ok++;
    c.rowsReturned += results.length;
    return json(200, {
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",
      schema: columns.map((col) => ({ name: col.name, type: SCHEMA_TYPE[col.type] })),
      results,
    });
  }
}
