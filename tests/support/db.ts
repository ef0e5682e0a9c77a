import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "../../lib/db/migrate.ts";

/**
 * Tests run against the real PostgreSQL that scripts/run-tests.ts starts (TEST_PG_ADMIN_URL). Each test file gets a
 * database of its own. Like dub's assert-local-database, refuse anything that is not on this machine.
 */
export function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error("TEST_PG_ADMIN_URL is not set: run the tests with `npm test`.");
  const host = new URL(url).hostname;
  if (!["localhost", "127.0.0.1", "::1"].includes(host)) {
    throw new Error(`Refusing to run tests against ${host}: tests create and drop databases, use a local server.`);
  }
  return url;
}

export async function createEmptyDatabase(prefix = "t"): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = adminUrl();
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await d.end();
    },
  };
}

export async function createMigratedDatabase(prefix = "t") {
  const database = await createEmptyDatabase(prefix);
  await migrate(database.url);
  return database;
}
