// `npm run worker`: an extra sync worker process on the same queue (PostgreSQL). Run as many as you like, on any
// machine that reaches the database. Reads the same settings as the portal (environment, .env, or the demo's
// .data/runtime.env written by `npm start`). Production runs the same file compiled: `npm run build` bundles it into
// dist/worker.mjs and `npm run worker:prod` runs that with node alone.
// Logs are JSON lines (lib/ops/log.ts); metrics on METRICS_PORT (lib/ops/metrics-server.ts); SIGTERM drains.
import { existsSync } from "node:fs";
import { serverConfig } from "../lib/config/env.ts";
import { createPrismaClient } from "../lib/db/client.ts";
import { bridgeConsole, log, setLogProcess } from "../lib/ops/log.ts";
import { startMetricsServer } from "../lib/ops/metrics-server.ts";
import { startSyncWorker, surviveDatabaseRestarts } from "../lib/sync/worker.ts";

setLogProcess("worker");
// Lines printed by libraries (pg-boss, Prisma) are JSON events too.
bridgeConsole();
if (existsSync(".env")) process.loadEnvFile(".env");
if (!process.env.ENTRA_CLIENT_ID && existsSync(".data/runtime.env")) process.loadEnvFile(".data/runtime.env");

let cfg;
try {
  cfg = serverConfig();
} catch (err) {
  log.error("configuration invalid", { err });
  process.exit(1);
}
surviveDatabaseRestarts();
const worker = await startSyncWorker({ databaseUrl: cfg.databaseUrl, logger: log });
// Metrics read the database at scrape time through a client of their own (the sync's pool stays the sync's).
const metricsServer =
  cfg.metricsPort === null
    ? null
    : await startMetricsServer({ port: cfg.metricsPort, host: cfg.metricsHost, token: cfg.metricsToken, prisma: createPrismaClient(cfg.databaseUrl) });
if (metricsServer) log.info("metrics listening", { host: cfg.metricsHost, port: metricsServer.port, path: "/metrics" });

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) {
      log.warn("second signal while stopping: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("stopping: no new jobs, waiting for running ones", { signal, timeoutMs: cfg.shutdownTimeoutMs });
    worker
      .stop({ timeoutMs: cfg.shutdownTimeoutMs })
      .then(async ({ unfinished }) => {
        await metricsServer?.close();
        log.info("stopped", { unfinished });
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error("stop failed", { err });
        process.exit(1);
      });
  });
}
