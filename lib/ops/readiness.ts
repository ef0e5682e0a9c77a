import { join } from "node:path";
import { db } from "../db/client.ts";
import { readMigrations } from "../db/migrate.ts";

/**
 * What a load balancer or an orchestrator asks: is this process alive, and can it serve? Answers say which check
 * failed and nothing else (no versions, hosts or error text: the endpoints are anonymous).
 */
export type CheckState = "ok" | "failing";
export interface Readiness {
  ready: boolean;
  checks: { database: CheckState; migrations: CheckState; queue: CheckState };
}

const CHECK_TIMEOUT_MS = 2_000;
let expectedMigrations: string[] | null = null;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), CHECK_TIMEOUT_MS).unref())]);
}

/** Every migration this build ships is applied and finished (the worker and web of one release agree on the schema). */
async function migrationsCurrent(): Promise<boolean> {
  expectedMigrations ??= readMigrations(join(process.cwd(), "prisma", "migrations")).map((m) => m.name);
  const rows = await db().$queryRaw<{ migration_name: string }[]>`
    SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
  const applied = new Set(rows.map((r) => r.migration_name));
  return expectedMigrations.every((name) => applied.has(name));
}

/** The sync queue lives in the same database (pg-boss's schema): reachable when its job table is. */
async function queueReachable(): Promise<boolean> {
  const rows = await db().$queryRaw<{ present: boolean }[]>`SELECT to_regclass('pgboss.job') IS NOT NULL AS present`;
  return rows[0]?.present === true;
}

const state = (ok: boolean): CheckState => (ok ? "ok" : "failing");

export async function checkReadiness(): Promise<Readiness> {
  const database = await withTimeout(db().$queryRaw`SELECT 1`)
    .then(() => true)
    .catch(() => false);
  const [migrations, queue] = database
    ? await Promise.all([withTimeout(migrationsCurrent()).catch(() => false), withTimeout(queueReachable()).catch(() => false)])
    : [false, false];
  return { ready: database && migrations && queue, checks: { database: state(database), migrations: state(migrations), queue: state(queue) } };
}
