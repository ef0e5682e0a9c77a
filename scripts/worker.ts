// `npm run worker`: an extra sync worker process on the same queue (PostgreSQL). Run as many as you like, on any
// machine that reaches the database. Reads the same settings as the portal (environment, .env, or the demo's
// .data/runtime.env written by `npm start`).
import { existsSync } from "node:fs";
import { serverConfig } from "../lib/config/env.ts";
import { startSyncWorker, surviveDatabaseRestarts } from "../lib/sync/worker.ts";

if (existsSync(".env")) process.loadEnvFile(".env");
if (!process.env.ENTRA_CLIENT_ID && existsSync(".data/runtime.env")) process.loadEnvFile(".data/runtime.env");

const cfg = serverConfig();
const log = (l: string) => console.log(`[worker ${process.pid}] ${l}`);
surviveDatabaseRestarts(log);
const worker = await startSyncWorker({ databaseUrl: cfg.databaseUrl, log });
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await worker.stop();
    process.exit(0);
  });
}
