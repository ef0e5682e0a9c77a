import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client";
import { log } from "../ops/log.ts";

export type { PrismaClient };

/** Builds a client for a connection string. The app uses `db()`; scripts and tests may hold their own. */
export function createPrismaClient(connectionString: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

const globalForPrisma = globalThis as unknown as { portalPrisma?: PrismaClient; portalPool?: pg.Pool };

/**
 * The process's connection pool and the Prisma client on top of it, made together. `$disconnect()` ends the pool
 * (disposeExternalPool); the next call makes both again, as a client alone would have reconnected.
 */
function connection(): { prisma: PrismaClient; pool: pg.Pool } {
  const g = globalForPrisma;
  if (!g.portalPrisma || !g.portalPool || g.portalPool.ending) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start the portal with `npm start`, or set it (see .env.example).");
    // allowExitOnIdle: idle connections do not keep a script or a test process alive (the servers have listeners).
    g.portalPool = new pg.Pool({ connectionString: url, allowExitOnIdle: true });
    // An idle connection lost (PostgreSQL restarted, a network cut) is dropped by the pool and the next statement opens
    // another; without a listener the pool's 'error' would end the process. Prisma adds its own only once it connects.
    g.portalPool.on("error", (err) => log.warn("database: an idle connection was lost", { error: err.message }));
    g.portalPrisma = new PrismaClient({ adapter: new PrismaPg(g.portalPool, { disposeExternalPool: true }) });
  }
  return { prisma: g.portalPrisma, pool: g.portalPool };
}

/** The one Prisma client of this process (survives Next's dev reloads). */
export function db(): PrismaClient {
  return connection().prisma;
}

/**
 * One read in plain SQL on the same pool, for the statements every page makes (the session check, the queues).
 * Measured on this machine (issue #12 §1): a statement through Prisma's client costs about five times the CPU of the
 * same statement through `pg`, and fifty queue rows with their customers 1.8 ms against 0.4 ms. Values are always
 * parameters ($1, $2…), never spliced into the text.
 */
export async function sqlRows<T extends pg.QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<T[]> {
  return (await connection().pool.query<T>(text, values as unknown[])).rows;
}

/** The values of one plain-SQL statement: `add` returns the `$n` that stands for a value in the text. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
