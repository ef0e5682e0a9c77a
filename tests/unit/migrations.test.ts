import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { canonicalShape, readDatabaseShape } from "../support/database-shape.ts";
import { createEmptyDatabase } from "../support/db.ts";
import { parsePrismaSchema } from "../support/prisma-schema.ts";

describe("migrations", () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  before(async () => {
    database = await createEmptyDatabase("mig");
  });
  after(async () => database.drop());

  test("a database migrated from empty matches schema.prisma (tables, columns, types, nullability, defaults, indexes, foreign keys, enums)", async () => {
    const { applied } = await migrate(database.url);
    assert.ok(applied.length >= 1);
    const expected = canonicalShape(parsePrismaSchema(readFileSync("prisma/schema.prisma", "utf8")));
    const actual = canonicalShape(await readDatabaseShape(database.url));
    assert.deepStrictEqual(actual, expected);
  });

  test("is idempotent and records Prisma-compatible rows with checksums", async () => {
    const { applied } = await migrate(database.url);
    assert.deepEqual(applied, []);
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    const { rows } = await c.query(`SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`);
    await c.end();
    const files = readMigrations("prisma/migrations");
    assert.deepEqual(
      rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count]),
      files.map((f) => [f.name, f.checksum, 1]),
    );
    assert.ok(rows.every((r) => r.finished_at));
  });

  test("concurrent runners serialise on the advisory lock and apply each migration once", async () => {
    const fresh = await createEmptyDatabase("mig2");
    try {
      const results = await Promise.all([migrate(fresh.url), migrate(fresh.url), migrate(fresh.url)]);
      const total = results.reduce((n, r) => n + r.applied.length, 0);
      assert.equal(total, readMigrations("prisma/migrations").length);
    } finally {
      await fresh.drop();
    }
  });

  test("the schema parser notices a drift (guards the guard)", () => {
    const schema = readFileSync("prisma/schema.prisma", "utf8");
    const drifted = schema.replace("displayName      String\n", "displayName      String?\n");
    assert.notEqual(drifted, schema, "fixture edit must apply");
    assert.notDeepEqual(canonicalShape(parsePrismaSchema(drifted)), canonicalShape(parsePrismaSchema(schema)));
  });
});
