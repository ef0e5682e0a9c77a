import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { AppError, isNamedError } from "../errors.ts";

/**
 * Applies prisma/migrations/<name>/migration.sql in name order, the way `prisma migrate deploy` does, without
 * Prisma's native schema engine (it cannot be downloaded here). Records each in `_prisma_migrations` with the same
 * columns and checksum, so `prisma migrate deploy` can take over on a machine that has the engine.
 */

// Prisma's own advisory lock key: two runners (ours or Prisma's) never migrate at once.
const PRISMA_ADVISORY_LOCK = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir: string): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export class MigrationError extends AppError {
  override name = "MigrationError";
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "MigrationError");
  }
  constructor(message: string) {
    super(message, "migration_failed", 500);
  }
}

export async function migrate(databaseUrl: string, options: { dir?: string; log?: (line: string) => void } = {}): Promise<{ applied: string[] }> {
  const dir = options.dir ?? join(process.cwd(), "prisma", "migrations");
  const log = options.log ?? (() => {});
  const migrations = readMigrations(dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`);
    const done = new Map(rows.filter((r) => !r.rolled_back_at).map((r) => [r.migration_name, r]));

    for (const m of migrations) {
      const row = done.get(m.name);
      if (row && !row.finished_at) {
        throw new MigrationError(
          `Migration ${m.name} started but never finished. Inspect the database, fix it, then mark the row in _prisma_migrations as rolled back.`,
        );
      }
      if (row) {
        if (row.checksum !== m.checksum) {
          throw new MigrationError(`Migration ${m.name} was edited after it was applied. Add a new migration instead of changing an old one.`);
        }
        continue;
      }
      await client.query("BEGIN");
      try {
        const id = randomUUID();
        await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`, [id, m.checksum, m.name]);
        await client.query(m.sql);
        await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new MigrationError(`Migration ${m.name} failed and was rolled back: ${(err as Error).message}`);
      }
      applied.push(m.name);
      log(`applied migration ${m.name}`);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]).catch(() => {});
    await client.end();
  }
  return { applied };
}
