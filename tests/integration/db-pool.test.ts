import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { createMigratedDatabase } from "../support/db.ts";

/**
 * The pool under Prisma also serves the plain-SQL reads of every page (lib/db/client.ts sqlRows, issue #12 §1). A
 * process that has only used sqlRows has no Prisma listener on it yet: losing an idle connection must not end it.
 */
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let mod: typeof import("../../lib/db/client.ts");

before(async () => {
  database = await createMigratedDatabase("db_pool");
  process.env.DATABASE_URL = database.url;
  mod = await import("../../lib/db/client.ts");
});
after(async () => {
  await mod?.db().$disconnect();
  await database?.drop();
});

test("an idle connection ended by the server is dropped; the next read opens another, and Prisma shares the pool", async () => {
  assert.deepEqual(await mod.sqlRows<{ n: number }>("SELECT $1::int AS n", [1]), [{ n: 1 }]);
  // PostgreSQL ends every other session of this database, as a restart or an administrator would.
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  const ended = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  await admin.end();
  assert.ok(ended.rowCount! >= 1, "the pool's idle connection was there to end");
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await mod.sqlRows<{ n: number }>("SELECT $1::int AS n", [2]), [{ n: 2 }]);
  // Prisma runs on the same pool, and after $disconnect both are made again on the next call.
  assert.equal(await mod.db().partner.count(), 0);
  await mod.db().$disconnect();
  assert.deepEqual(await mod.sqlRows<{ n: number }>("SELECT $1::int AS n", [3]), [{ n: 3 }]);
  assert.equal(await mod.db().partner.count(), 0);
});

test("values are parameters: text that looks like SQL is read as a value", async () => {
  const hostile = `x'); DROP TABLE "Partner"; --`;
  assert.deepEqual(await mod.sqlRows<{ v: string }>("SELECT $1::text AS v", [hostile]), [{ v: hostile }]);
  assert.equal(await mod.db().partner.count(), 0);
});
