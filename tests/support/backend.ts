import { randomBytes } from "node:crypto";
import { CERT_DIR, simulatedPortalEnv } from "../../scripts/lib/stack.ts";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";
import { createMigratedDatabase } from "./db.ts";
import { SimControl } from "./sim-control.ts";
import type { PrismaClient } from "../../lib/db/client.ts";

/**
 * What an integration test of the sync, triage or response needs: its own migrated database, the simulator with the
 * test's app registration and Defender data, the portal's environment pointing at both, and the partner's id.
 */
export async function startSimulatedBackend(opts: {
  label: string;
  clientId: string;
  clientSecret: string;
  defender: { incidentsPerTenant: number; quotas: boolean };
  appUrl?: string;
  /** The simulator's data seed (default "<label>-tests"). */
  seed?: string;
}): Promise<{
  database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  sim: SimulatorHandle;
  control: SimControl;
  prisma: PrismaClient;
  partnerId: string;
}> {
  const database = await createMigratedDatabase(opts.label);
  const sim = await startSimulator({
    port: 0,
    certDir: CERT_DIR,
    seed: opts.seed ?? `${opts.label}-tests`,
    app: {
      clientId: opts.clientId,
      displayName: `${opts.label} tests`,
      clientSecrets: [opts.clientSecret],
      certificates: [],
      // User context (issue 13): where Microsoft sends an analyst back after connecting to a customer tenant.
      redirectUris: [`${opts.appUrl ?? "http://localhost:3999"}/connect/callback`],
    },
    defender: opts.defender,
  });
  Object.assign(process.env, {
    ...simulatedPortalEnv({
      databaseUrl: database.url,
      appUrl: opts.appUrl ?? "http://localhost:3999",
      authSecret: randomBytes(32).toString("base64url"),
      sim,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
    }),
  });
  const prisma = (await import("../../lib/db/client.ts")).db();
  const partnerId = (await (await import("../../lib/data/partner.ts")).currentPartner()).id;
  return { database, sim, control: new SimControl(sim.url), prisma, partnerId };
}
