import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchOptions } from "./args.ts";
import type { FanoutFigures } from "./fanout.ts";
import type { NotifyFigures } from "./notify.ts";
import type { HuntingFigures } from "./hunting.ts";
import type { QueueFigures } from "./queue.ts";
import type { ScaleOutFigures, SyncFigures } from "./sync.ts";
import type { ScalingFigures } from "./scaling.ts";

export interface BenchReport {
  startedAt: string;
  totalS: number;
  options: BenchOptions;
  machine: { cpus: number; node: string };
  sync: SyncFigures;
  queue: QueueFigures;
  /** Absent with `--only pages`. */
  fanout?: FanoutFigures;
  /** Notification latency (issue 10 §2); absent in reports from before it. */
  notify?: NotifyFigures;
  /** A hunt across every tenant (issue 11 §1); absent in reports from before it. */
  hunting?: HuntingFigures;
  /** The same initial sync by N worker processes (`--workers N`, issue 12 §3); absent with one worker. */
  scaleOut?: ScaleOutFigures;
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–");
const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const ms = (n: number) => (Number.isFinite(n) ? (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(n < 10 ? 1 : 0)} ms`) : "–");
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const cpu = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "–" : `${n.toFixed(1)} ms`);
const mib = (n: number | null) => (n === null ? "–" : `${Math.round(n)} MiB`);
const ratio = (n: number) => (Number.isFinite(n) ? `${n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(n >= 10 ? 0 : 2)}×` : "–");
const failures = (f: Record<string, number>) =>
  Object.entries(f)
    .map(([code, n]) => `${n}× ${code}`)
    .join(", ");

type Row = [label: string, value: string, note?: string] | [heading: string];

function setupRow(o: BenchOptions): Row {
  return [
    `Setup: ${int(o.tenants)} customers × ${int(o.incidentsPerTenant)} incidents, ${o.latencyMs} ms API latency, quotas on, source ${o.source}${o.quick ? " (quick)" : ""}`,
  ];
}

function initialRows(o: BenchOptions, init: SyncFigures["initial"]): Row[] {
  const lb = init.lowerBound;
  const slots = (init.workers ?? 1) > 1 ? `${init.workers} workers × ${init.workerConcurrency}` : `${init.workerConcurrency} (SYNC_CONCURRENCY)`;
  const out: Row[] = [
    ["  wall time", `${fixed(init.wallS)} s`, `worker up in ${fixed(init.workerStartupS)} s (not included)`],
    [
      "  lower bound",
      `${fixed(lb.seconds)} s`,
      `${int(init.apiCalls)} calls × ${o.latencyMs} ms ÷ ${slots}; longest feed ${fixed(lb.longestFeedS)} s; quota ${fixed(lb.quotaS)} s`,
    ],
    ["  ratio", ratio(init.ratio), `limited by ${lb.limitedBy}; target ≤ 1.25×`],
    ["  incidents/s", int(init.incidentsPerS), `${int(init.incidents)} incidents, ${int(init.alerts)} alerts stored`],
  ];
  if (init.workerCpuS !== undefined)
    out.push(
      [
        "  worker CPU",
        `${fixed(init.workerCpuS)} s`,
        `utime+stime of the worker process(es); ${fixed((init.workerCpuS * 1000 * 1000) / init.incidents)} ms per 1,000 incidents`,
      ],
      [
        "  simulator CPU",
        `${fixed(init.simulatorCpuS ?? NaN)} s`,
        `${fixed(((init.simulatorCpuS ?? NaN) / init.wallS) * 100, 0)} % of one core (one thread); PostgreSQL ${fixed(init.postgresCpuS ?? NaN)} s`,
      ],
    );
  if (Object.keys(init.failures).length) out.push(["  failed feeds", failures(init.failures)]);
  return out;
}

function syncRows(o: BenchOptions, sync: SyncFigures): Row[] {
  const init = sync.initial;
  const inc = sync.incremental;
  const out: Row[] = [
    ["Initial sync"],
    ...initialRows(o, init),
    ["  peak worker RSS", mib(init.peakWorkerRssMiB), `VmHWM of dist/worker.mjs; ${mib(sync.peakWorkerRssMiB)} after both syncs; target ≤ 300 MiB`],
  ];
  out.push(
    ["Incremental sync, nothing changed"],
    [
      "  API calls per tenant per feed",
      `${fixed(inc.callsPerTenantFeed.mean, 2)} (max ${fixed(inc.callsPerTenantFeed.max, 0)})`,
      `target 1; ${inc.callsPerTenantFeed.overTarget} feed(s) over; simulator: ${fixed(inc.simCallsPerTenantEndpoint.mean, 2)} per tenant per endpoint`,
    ],
    ["  rows written", int(inc.rowsWritten), `target 0; ${inc.tenantsWithWrites} tenant(s) wrote`],
    ["  wall time", `${fixed(inc.wallS)} s`, "includes up to 5 s until the scheduler's next tick"],
  );
  if (Object.keys(inc.failures).length) out.push(["  failed feeds", failures(inc.failures)]);
  out.push(
    ["Token economy (two full syncs)"],
    [
      "  token requests per tenant per resource",
      fixed(sync.tokens.perTenantResource.mean, 2),
      `target 1.00; max ${fixed(sync.tokens.perTenantResource.max, 0)}; ${sync.tokens.perTenantResource.overTarget} pair(s) over; ${int(sync.tokens.totalRequests)} requests`,
    ],
  );
  return out;
}

function scaleOutRows(o: BenchOptions, s: ScaleOutFigures): Row[] {
  return [
    [`Scale-out: the same initial sync by ${s.workers} worker processes on one database, from an empty store`],
    ...initialRows(o, s.many),
    ["  peak RSS per worker", mib(s.many.peakWorkerRssMiB), "the largest VmHWM of the workers"],
    [
      "  time ÷ one worker's",
      ratio(s.timeRatio),
      `${fixed(s.many.wallS)} s vs ${fixed(s.one.wallS)} s; speed-up ${fixed(1 / s.timeRatio, 2)}; target ≤ 0.6× with two`,
    ],
  ];
}

function rows(r: BenchReport): Row[] {
  const { options: o, sync, queue, fanout } = r;
  const out: Row[] = [setupRow(o), ...syncRows(o, sync)];
  out.push([`Pages (${o.clients} clients × ${o.durationS} s each)`]);
  // The fan-out baseline is measured one view at a time, so it is set beside the page for one client alone.
  const pageAloneP50 = queue.scenarios[0]?.alone.p50Ms ?? NaN;
  for (const s of queue.scenarios) {
    out.push(
      [
        `  ${s.name}`,
        `p50 ${ms(s.page.p50Ms)}  p95 ${ms(s.page.p95Ms)}  p99 ${ms(s.page.p99Ms)}`,
        `${fixed(s.page.requestsPerS)} req/s, ${int(s.page.requests)} requests, ${int(s.page.bytesPerResponse / 1024)} KB each${s.page.errors ? `, ${s.page.errors} errors (${s.page.firstError})` : ""}`,
      ],
      [
        "    one client alone",
        `p50 ${ms(s.alone.p50Ms)}  p95 ${ms(s.alone.p95Ms)}`,
        `${fixed(s.alone.requestsPerS)} req/s${s.alone.errors ? `, ${s.alone.errors} errors (${s.alone.firstError})` : ""}`,
      ],
      [`    data layer (${s.dataLayer}) p50`, ms(s.dataLayerP50Ms), `page alone ÷ data layer ${ratio(s.alone.p50Ms / s.dataLayerP50Ms)}`],
    );
    if (s.weight) {
      const w = s.weight;
      out.push(
        [
          "    bytes per response",
          kb(w.bytes),
          `HTML ${kb(w.htmlBytes)} + React payload ${kb(w.rscBytes)} + bootstrap script ${kb(w.otherScriptBytes)}; ${kb(w.gzipBytes)} gzipped`,
        ],
        [
          "    web-process CPU per response",
          cpu(s.cpuMsPerResponse),
          `utime+stime of the web process ÷ responses under load; ${cpu(s.cpuMsPerResponseAlone)} for one client alone`,
        ],
      );
    }
  }
  out.push(["  peak web-process RSS", mib(queue.peakWebRssMiB), "VmHWM of the web process (npm run serve)"]);
  if (fanout)
    out.push([
      "  live fan-out per view p50",
      ms(fanout.p50Ms),
      `${int(fanout.callsPerView)} calls per view at concurrency ${fanout.concurrency}, ${fanout.views} views (first ${ms(fanout.firstViewMs)}, with tokens); fan-out ÷ page alone ${ratio(fanout.p50Ms / pageAloneP50)}`,
    ]);
  if (r.notify) {
    const n = r.notify;
    out.push(
      ["Notifications: new high incident at the simulator → local webhook receiver"],
      [
        "  end to end",
        `p50 ${ms(n.p50Ms)}  p95 ${ms(n.p95Ms)}`,
        `${n.endToEndMs.length}/${n.samples} delivered${n.lost ? `, ${n.lost} LOST` : ""}; the tenant's sync run included, not the wait for its next scheduled run (≤ SYNC_INTERVAL_MINUTES)`,
      ],
      ["  after the sync committed", `p50 ${ms(n.afterSyncP50Ms)}  p95 ${ms(n.afterSyncP95Ms)}`, "outbox → dispatch → delivery row → HTTP POST → receiver"],
    );
  }
  if (r.hunting) out.push(...huntingRows(r.hunting));
  if (r.scaleOut) out.push(...scaleOutRows(o, r.scaleOut));
  return out;
}

function huntingRows(h: HuntingFigures): Row[] {
  return [
    [`Advanced hunting: one query across ${int(h.tenants)} tenants, ${h.concurrency} at a time (HUNT_CONCURRENCY)`],
    ["  wall time", `${fixed(h.wallS)} s`, `${h.done} answered, ${h.failed} failed; ${h.throttled} × 429 from the simulator`],
    [
      "  lower bound",
      `${fixed(h.lowerBoundS)} s`,
      `ceil(${int(h.tenants)} ÷ ${h.concurrency}) × one tenant alone (token + first query, ${ms(h.singleQueryMs)}); one call per tenant, under its 45/minute`,
    ],
    ["  ratio", ratio(h.ratio)],
    ["  rows kept", int(h.rowsKept), `cap ${int(h.rowCap)}${h.truncated ? ", cut" : ""}`],
    ["  peak worker RSS", mib(h.peakWorkerRssMiB), `VmHWM of the worker holding the results; ${mib(h.workerRssBeforeMiB)} before the hunt`],
  ];
}

function render(table: Row[]): string[] {
  const w0 = Math.max(...table.filter((x) => x.length > 1).map((x) => x[0].length));
  const w1 = Math.max(...table.filter((x) => x.length > 1).map((x) => x[1]!.length));
  return table.map((x) => (x.length === 1 ? x[0] : `${x[0].padEnd(w0)}  ${x[1]!.padStart(w1)}  ${x[2] ?? ""}`.trimEnd()));
}

/** `--only hunting`: the hunting figures alone. */
export function formatHuntingTable(h: HuntingFigures): string {
  return render(huntingRows(h)).join("\n");
}

/** `--only sync`: the syncs, and the scale-out with `--workers N`. */
export function formatSyncTable(o: BenchOptions, sync: SyncFigures, scaleOut: ScaleOutFigures | undefined): string {
  return render([setupRow(o), ...syncRows(o, sync), ...(scaleOut ? scaleOutRows(o, scaleOut) : [])]).join("\n");
}

/** `--scaling a,b,c`: one column per tenant count. */
export function formatScalingTable(o: BenchOptions, points: ScalingFigures[]): string {
  const head = ["", ...points.map((p) => `${int(p.tenants)} tenants`)];
  const line = (label: string, f: (p: ScalingFigures) => string) => [label, ...points.map(f)];
  const table = [
    head,
    line("incidents stored", (p) => int(p.incidents)),
    line("initial sync", (p) => `${fixed(p.initialS)} s`),
    line("  ÷ its lower bound", (p) => ratio(p.initialRatio)),
    line("  per tenant", (p) => `${ms((p.initialS * 1000) / p.tenants)}`),
    line("incremental round", (p) => `${fixed(p.incrementalS)} s`),
    line("  per tenant", (p) => `${ms((p.incrementalS * 1000) / p.tenants)}`),
    line("/incidents p50, one client", (p) => ms(p.pageAloneP50Ms)),
    line("/incidents p50, 16 clients", (p) => ms(p.pageP50Ms)),
    line("database size per incident", (p) => kb(p.databaseBytes / p.incidents)),
    line("peak worker RSS", (p) => mib(p.peakWorkerRssMiB)),
    line("peak web RSS (16 clients)", (p) => mib(p.peakWebRssMiB)),
  ];
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const title = `Scaling — ${int(o.incidentsPerTenant)} incidents per tenant, ${o.latencyMs} ms API latency, ${o.workers} worker process(es)`;
  return [title, "=".repeat(title.length), ...table.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "))].join(
    "\n",
  );
}

export function formatTable(r: BenchReport): string {
  const table = rows(r);
  const lines = render(table);
  const title = `Scale benchmark — ${r.startedAt}, ${r.machine.cpus} CPUs, Node ${r.machine.node}, ${fixed(r.totalS, 0)} s in all`;
  return [title, "=".repeat(title.length), ...lines].join("\n");
}

/** The same figures as JSON: .data/bench/bench-<timestamp>.json and .data/bench/latest.json. */
export function writeReport(r: BenchReport, dir = join(".data", "bench")): string {
  const file = writeJson(dir, `bench-${r.startedAt.replace(/[:.]/g, "-")}.json`, r);
  writeJson(dir, "latest.json", r);
  return file;
}

/** What a failed run measured before it failed (never latest.json: that is the last complete run). */
export function writePartialReport(r: Partial<BenchReport> & { startedAt: string; error: string }, dir = join(".data", "bench")): string {
  return writeJson(dir, `bench-${r.startedAt.replace(/[:.]/g, "-")}-failed.json`, r);
}

function writeJson(dir: string, name: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}
