// `npm run bench [-- --quick] [--tenants N] [--incidents M] [--latency MS] [--duration S] [--only hunting|sync|pages] [--workers N]
// [--scaling 100,1000,5000]`: the scale benchmark.
// Builds the portal, starts an embedded PostgreSQL and the simulator (latency and quotas on), syncs N tenants with
// the real worker, loads the incident queue, and prints the figures (also as JSON in .data/bench/). Figures are
// printed, never asserted. Everything it starts is stopped again, also on error and Ctrl-C.
import { cpus } from "node:os";
import { parseBenchArgs } from "./lib/bench/args.ts";
import { measureLiveFanout } from "./lib/bench/fanout.ts";
import { Cleanup } from "./lib/bench/processes.ts";
import { measureQueuePage, queueScenarios } from "./lib/bench/queue.ts";
import { formatHuntingTable, formatScalingTable, formatSyncTable, formatTable, writePartialReport, writeReport, type BenchReport } from "./lib/bench/report.ts";
import { setUpEnvironment } from "./lib/bench/setup.ts";
import { measureScaleOut, measureSync } from "./lib/bench/sync.ts";
import { measureScaling, measureScalingPoint } from "./lib/bench/scaling.ts";
import { measureNotifyLatency } from "./lib/bench/notify.ts";
import { measureHunting } from "./lib/bench/hunting.ts";
import { ensureNextBuild, ensureWorkerBuild } from "./lib/next-build.ts";

const began = Date.now();
// Progress goes to stderr, so stdout holds only the table.
const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const cleanup = new Cleanup();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping…`);
    cleanup.signalChildren();
    void cleanup.runAll(log).finally(() => process.exit(130));
  });
}

// Filled phase by phase, so a run that fails late still leaves what it measured.
const measured: Partial<BenchReport> = { machine: { cpus: cpus().length, node: process.versions.node } };

async function main(): Promise<void> {
  const opts = parseBenchArgs(process.argv.slice(2));
  measured.options = opts;
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const startedAt = new Date();
  measured.startedAt = startedAt.toISOString();
  if (opts.only !== "scaling-point") {
    await ensureNextBuild(log);
    ensureWorkerBuild(log);
  }
  if (opts.scaling) {
    console.log(formatScalingTable(opts, await measureScaling(process.argv.slice(2), opts.scaling, log)));
    return;
  }
  const env = await setUpEnvironment(opts, cleanup, log);
  if (opts.only === "scaling-point") {
    await measureScalingPoint(env, opts, cleanup, log);
    return;
  }
  if (opts.only === "hunting") {
    const hunting = await measureHunting(env, opts, cleanup, log);
    console.log(formatHuntingTable(hunting));
    return;
  }
  measured.sync = await measureSync(env, opts, cleanup, log);
  if (opts.only === "sync") {
    const scaleOut = opts.workers > 1 ? await measureScaleOut(env, opts, measured.sync.initial, cleanup, log) : undefined;
    console.log(formatSyncTable(opts, measured.sync, scaleOut));
    return;
  }
  // Right after the sync (every tenant has had its first sync, so new incidents are announced).
  if (opts.only !== "pages") {
    log("Notification latency: new incidents at the simulator to the local receiver…");
    measured.notify = await measureNotifyLatency(env, opts.quick ? 10 : 30, log);
  }
  measured.queue = await measureQueuePage(env, opts, await queueScenarios(env), cleanup, log);
  if (opts.only !== "pages") {
    log(`Live fan-out baseline: ${opts.fanoutViews} views of ${env.customers.length} tenants…`);
    measured.fanout = await measureLiveFanout(env, opts, log);
    measured.hunting = await measureHunting(env, opts, cleanup, log);
    // Last: it empties the store and syncs it again with N workers.
    if (opts.workers > 1) measured.scaleOut = await measureScaleOut(env, opts, measured.sync.initial, cleanup, log);
  }
  const report = { ...measured, totalS: (Date.now() - startedAt.getTime()) / 1000 } as BenchReport;
  console.log(formatTable(report));
  log(`Figures written to ${writeReport(report)} and .data/bench/latest.json`);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  if (measured.startedAt) log(`What was measured is in ${writePartialReport({ ...measured, startedAt: measured.startedAt, error: String(err) })}`);
  exitCode = 1;
} finally {
  await cleanup.runAll(log);
}
// pg-boss, Prisma and MSAL may hold timers or sockets open: leave deliberately.
process.exit(exitCode);
