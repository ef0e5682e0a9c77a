import { parseArgs } from "node:util";

/** What one benchmark run does. Quick mode shrinks the defaults so the whole run fits in under two minutes. */
export interface BenchOptions {
  quick: boolean;
  tenants: number;
  incidentsPerTenant: number;
  latencyMs: number;
  /** Seconds of load per queue-page scenario. */
  durationS: number;
  /** Concurrent HTTP clients on the queue page, and concurrency of the live fan-out baseline. */
  clients: number;
  /** Views measured for the live fan-out baseline (each one calls every tenant). */
  fanoutViews: number;
  /** SYNC_CONCURRENCY for the worker; undefined = the portal's default. */
  workerConcurrency: number | undefined;
  source: "graph" | "defender";
  /**
   * Run one phase alone after the setup ("sync": the syncs and the scale-out only; "pages": the syncs, then the pages
   * only; "hunting": no sync, no queue load).
   */
  only: "hunting" | "sync" | "pages" | "scaling-point" | undefined;
  /** Worker processes for the scale-out phase: with N > 1 the initial sync is run again by N workers and compared. */
  workers: number;
  /** Tenant counts of the scaling table (`--scaling 100,1000,5000`): one fresh world per count, figures side by side. */
  scaling: number[] | undefined;
}

const USAGE = `npm run bench -- [--quick] [--tenants N] [--incidents M] [--latency MS] [--duration S]
                       [--clients N] [--views N] [--concurrency N] [--source graph|defender] [--only hunting|sync|pages]
                       [--workers N] [--scaling 100,1000,5000]`;

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${value}'.\n${USAGE}`);
  return n;
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      tenants: { type: "string" },
      incidents: { type: "string" },
      latency: { type: "string" },
      duration: { type: "string" },
      clients: { type: "string" },
      views: { type: "string" },
      concurrency: { type: "string" },
      source: { type: "string" },
      only: { type: "string" },
      workers: { type: "string" },
      scaling: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const source = values.source ?? "graph";
  if (source !== "graph" && source !== "defender") throw new Error(`--source must be graph or defender.\n${USAGE}`);
  // "scaling-point" is the child run of --scaling (one tenant count), not for people.
  if (values.only !== undefined && !["hunting", "sync", "pages", "scaling-point"].includes(values.only))
    throw new Error(`--only must be hunting, sync or pages.\n${USAGE}`);
  const scaling = values.scaling?.split(",").map((n) => positiveInt("scaling", n.trim(), 0, 1));
  return {
    quick,
    tenants: positiveInt("tenants", values.tenants, quick ? 50 : 1_000),
    incidentsPerTenant: positiveInt("incidents", values.incidents, 100),
    latencyMs: positiveInt("latency", values.latency, 150, 0),
    durationS: positiveInt("duration", values.duration, quick ? 5 : 15),
    clients: positiveInt("clients", values.clients, 16),
    fanoutViews: positiveInt("views", values.views, quick ? 3 : 5),
    workerConcurrency: values.concurrency === undefined ? undefined : positiveInt("concurrency", values.concurrency, 4),
    source,
    only: values.only as BenchOptions["only"],
    workers: positiveInt("workers", values.workers, 1),
    scaling,
  };
}
