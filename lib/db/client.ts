import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";

export type { PrismaClient };

/** Builds a client for a connection string. The app uses `db()`; scripts and tests may hold their own. */
export function createPrismaClient(connectionString: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

const globalForPrisma = globalThis as unknown as { portalPrisma?: PrismaClient };

/** The one Prisma client of this process (survives Next's dev reloads). */
export function db(): PrismaClient {
  if (!globalForPrisma.portalPrisma) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start the portal with `npm start`, or set it (see .env.example).");
    globalForPrisma.portalPrisma = createPrismaClient(url);
  }
  return globalForPrisma.portalPrisma;
}
