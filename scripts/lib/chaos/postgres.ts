import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../../lib/db/embedded.ts";
import { migrate } from "../../../lib/db/migrate.ts";

/** A database of one scenario: created migrated, dropped at the end. */
export interface ScenarioDatabase {
  url: string;
  drop(): Promise<void>;
}

/** The campaign's own PostgreSQL: persistent on disk so it can be stopped and started mid-sync, wiped at the end. */
export interface ChaosPostgres {
  adminUrl: string;
  /** Stops the server, waits `downMs`, starts it again on the same data directory. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosPostgres(opts: { dir: string; port: number }): Promise<ChaosPostgres> {
  rmSync(opts.dir, { recursive: true, force: true });
  // persistent: a non-persistent embedded server deletes its data directory on stop, which a restart needs.
  const start = () => startEmbeddedPostgres({ dir: opts.dir, port: opts.port, persistent: true, database: "postgres" });
  let server: EmbeddedDatabase = await start();
  return {
    adminUrl: server.url,
    async restart(downMs) {
      await server.stop();
      await new Promise((r) => setTimeout(r, downMs));
      server = await start();
    },
    async stop() {
      await server.stop().catch(() => {});
      rmSync(opts.dir, { recursive: true, force: true });
    },
  };
}

/** CREATE DATABASE + migrations on the server behind `adminUrl` (as tests/support/db.ts does for the tests). */
export async function createScenarioDatabase(adminUrl: string, label: string): Promise<ScenarioDatabase> {
  const name = `chaos_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return { url: url.toString(), drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
