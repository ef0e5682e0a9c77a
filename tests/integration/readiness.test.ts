import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import PgBoss from "pg-boss";
import { createMigratedDatabase } from "../support/db.ts";
import type { PrismaClient } from "../../lib/db/client.ts";

/** Issue #12 §4: readiness names the failing check (database, migrations, queue) and nothing else. */
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;

before(async () => {
  database = await createMigratedDatabase("readiness");
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    NEXTAUTH_URL: "http://localhost:3999",
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    ENTRA_PARTNER_TENANT_ID: randomUUID(),
    ENTRA_CLIENT_ID: randomUUID(),
    ENTRA_CLIENT_SECRET: "not-used-here",
  });
  prisma = (await import("../../lib/db/client.ts")).db();
});
after(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

test("ready only when the database answers, every shipped migration is applied and the queue's schema exists", async () => {
  const { checkReadiness } = await import("../../lib/ops/readiness.ts");
  assert.deepEqual(
    await checkReadiness(),
    { ready: false, checks: { database: "ok", migrations: "ok", queue: "failing" } },
    "no worker has installed the queue yet",
  );

  const boss = new PgBoss({ connectionString: database.url, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  assert.deepEqual(await checkReadiness(), { ready: true, checks: { database: "ok", migrations: "ok", queue: "ok" } });

  // A release whose newest migration has not been applied (rolled back here) is not ready.
  const [newest] = await prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1`;
  await prisma.$executeRaw`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = ${newest!.migration_name}`;
  assert.deepEqual(await checkReadiness(), { ready: false, checks: { database: "ok", migrations: "failing", queue: "ok" } });
  await prisma.$executeRaw`UPDATE "_prisma_migrations" SET rolled_back_at = NULL WHERE migration_name = ${newest!.migration_name}`;
});
