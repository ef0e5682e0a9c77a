import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchOptions } from "./args.ts";
import type { Cleanup } from "./processes.ts";
import { measureQueuePage, queueScenarios } from "./queue.ts";
import type { BenchEnvironment } from "./setup.ts";
import { measureSync } from "./sync.ts";

/** One column of the scaling table (issue 12 §3): one fresh world of `tenants` customers. */
export interface ScalingFigures {
  tenants: number;
  incidents: number;
  initialS: number;
  initialRatio: number;
  incrementalS: number;
  pageAloneP50Ms: number;
  pageP50Ms: number;
  /** What pg_database_size grew by over both syncs (incidents, alerts, their indexes, history, SLA clocks). */
  databaseBytes: number;
  peakWorkerRssMiB: number | null;
  peakWebRssMiB: number | null;
}

/** Where a scaling point's child run leaves its figures. */
const POINT_FILE = join(".data", "bench", "scaling-point.json");

/**
 * One point, in the process of a child run (`--only scaling-point`): the initial sync and an incremental round by
 * `opts.workers` workers, then the queue's first page under load and for one client alone.
 */
export async function measureScalingPoint(env: BenchEnvironment, opts: BenchOptions, cleanup: Cleanup, log: (line: string) => void): Promise<ScalingFigures> {
  const databaseSize = async () =>
    Number((await env.prisma.$queryRawUnsafe<[{ size: bigint }]>("SELECT pg_database_size(current_database()) AS size"))[0].size);
  // What the synced data adds: the migrated schema, the customers and their sync state are there before.
  const sizeBefore = await databaseSize();
  const sync = await measureSync(env, opts, cleanup, log, opts.workers);
  const [first] = await queueScenarios(env);
  const queue = await measureQueuePage(env, opts, [first!], cleanup, log);
  const sizeAfter = await databaseSize();
  const page = queue.scenarios[0]!;
  const figures: ScalingFigures = {
    tenants: env.customers.length,
    incidents: sync.initial.incidents,
    initialS: sync.initial.wallS,
    initialRatio: sync.initial.ratio,
    incrementalS: sync.incremental.wallS,
    pageAloneP50Ms: page.alone.p50Ms,
    pageP50Ms: page.page.p50Ms,
    databaseBytes: sizeAfter - sizeBefore,
    peakWorkerRssMiB: sync.peakWorkerRssMiB,
    peakWebRssMiB: queue.peakWebRssMiB,
  };
  mkdirSync(join(".data", "bench"), { recursive: true });
  writeFileSync(POINT_FILE, JSON.stringify(figures));
  return figures;
}

/**
 * The scaling table: each tenant count in a child bench process of its own (a fresh PostgreSQL, simulator and module
 * state; the points run one after another, never side by side).
 */
export async function measureScaling(argv: string[], counts: number[], log: (line: string) => void): Promise<ScalingFigures[]> {
  const points: ScalingFigures[] = [];
  // The child gets the same options, without --scaling, for one tenant count.
  const base: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--scaling" || argv[i] === "--tenants") i++;
    else if (!argv[i]!.startsWith("--scaling=") && !argv[i]!.startsWith("--tenants=")) base.push(argv[i]!);
  }
  for (const tenants of counts) {
    log(`Scaling point: ${tenants} tenants…`);
    rmSync(POINT_FILE, { force: true });
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench.ts", ...base, "--tenants", String(tenants), "--only", "scaling-point"], {
        stdio: ["ignore", "ignore", "inherit"],
      });
      child.once("exit", resolve);
    });
    if (code !== 0) throw new Error(`the scaling point at ${tenants} tenants failed (exit ${code}); see its lines above`);
    points.push(JSON.parse(readFileSync(POINT_FILE, "utf8")) as ScalingFigures);
  }
  return points;
}
