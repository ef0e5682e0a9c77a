import { randomBytes, randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { startEmbeddedPostgres } from "../../../lib/db/embedded.ts";
import { migrate } from "../../../lib/db/migrate.ts";
import { ensureCertificates } from "../../../simulator/certs.ts";
import { startSimulator, type SimulatorHandle } from "../../../simulator/server.ts";
import { SimControl } from "../../../tests/support/sim-control.ts";
import type { PrismaClient } from "../../../lib/db/client.ts";
import { CERT_DIR, simulatedPortalEnv } from "../stack.ts";
import type { BenchOptions } from "./args.ts";
import { mapWithConcurrency } from "./pool.ts";
import type { Cleanup } from "./processes.ts";

/** Ports of our own, so a benchmark never collides with `npm start` or `npm test`. */
// Overridable so two benches (two checkouts) can run side by side.
export const BENCH_PORTS = {
  postgres: Number(process.env.BENCH_PG_PORT ?? 5610),
  simulator: Number(process.env.BENCH_SIM_PORT ?? 8610),
  app: Number(process.env.BENCH_APP_PORT ?? 3210),
} as const;
const PG_DIR = resolve(".data/bench-pg");

export interface BenchCustomer {
  id: string;
  tenantId: string;
}

export interface BenchEnvironment {
  sim: SimulatorHandle;
  control: SimControl;
  prisma: PrismaClient;
  /** Environment of the portal's processes (holds secrets: never print it). */
  portalEnv: Record<string, string>;
  customers: BenchCustomer[];
  /** The partner admin the queue page is loaded as. */
  admin: { userId: string; partnerId: string; entraObjectId: string; email: string; displayName: string };
}

/**
 * A fresh world: embedded PostgreSQL (migrated, thrown away afterwards), the simulator with Defender data, latency and
 * quotas, N customer tenants consented in the simulator and recorded as CONSENTED customers, and one partner admin.
 */
export async function setUpEnvironment(opts: BenchOptions, cleanup: Cleanup, log: (line: string) => void): Promise<BenchEnvironment> {
  const caPath = ensureCertificates(CERT_DIR).caCertPath;
  if (process.env.NODE_EXTRA_CA_CERTS !== caPath) throw new Error(`Run the benchmark with \`npm run bench\` (it sets NODE_EXTRA_CA_CERTS=${caPath}).`);

  // A leftover data dir from a killed run would be reused as is: always start empty.
  rmSync(PG_DIR, { recursive: true, force: true });
  const pg = await startEmbeddedPostgres({ dir: PG_DIR, port: BENCH_PORTS.postgres, persistent: false });
  cleanup.add("postgres", async () => {
    await pg.stop();
    rmSync(PG_DIR, { recursive: true, force: true });
  });
  await migrate(pg.url);
  log(`PostgreSQL on port ${BENCH_PORTS.postgres}, migrated`);

  const appUrl = `http://localhost:${BENCH_PORTS.app}`;
  const clientId = randomUUID();
  const clientSecret = randomBytes(24).toString("base64url");
  const sim = await startSimulator({
    port: BENCH_PORTS.simulator,
    certDir: CERT_DIR,
    seed: "bench",
    app: {
      clientId,
      displayName: "Bench portal",
      clientSecrets: [clientSecret],
      certificates: [],
      redirectUris: [`${appUrl}/consent/callback`, `${appUrl}/api/auth/callback/azure-ad`],
    },
    defender: { incidentsPerTenant: opts.incidentsPerTenant, quotas: true, latencyMs: opts.latencyMs },
  });
  cleanup.add("simulator", () => sim.close());
  log(`Simulator on ${sim.url} (${opts.incidentsPerTenant} incidents per tenant, ${opts.latencyMs} ms latency, quotas on)`);

  const portalEnv: Record<string, string> = {
    ...simulatedPortalEnv({ databaseUrl: pg.url, appUrl, authSecret: randomBytes(32).toString("base64url"), sim, clientId, clientSecret }),
    PARTNER_NAME: "Bench MSSP",
    DEFENDER_DATA_SOURCE: opts.source,
    // The benchmark starts the incremental sync itself: no run may fall due on its own in between.
    SYNC_INTERVAL_MINUTES: String(24 * 60),
    ...(opts.workerConcurrency ? { SYNC_CONCURRENCY: String(opts.workerConcurrency) } : {}),
  };
  // lib/ reads its configuration from this process's environment (data layer, token and API clients).
  Object.assign(process.env, portalEnv);
  const { db } = await import("../../../lib/db/client.ts");
  const { currentPartner } = await import("../../../lib/data/partner.ts");
  const prisma = db();
  cleanup.add("prisma", () => prisma.$disconnect());
  const partner = await currentPartner();

  const control = new SimControl(sim.url);
  const customers = await createConsentedCustomers(opts.tenants, control, prisma, partner.id);
  log(`${customers.length} customers consented in the simulator and recorded as CONSENTED`);
  const admin = await createAdmin(prisma, partner.id);
  return { sim, control, prisma, portalEnv, customers, admin };
}

async function createConsentedCustomers(count: number, control: SimControl, prisma: PrismaClient, partnerId: string): Promise<BenchCustomer[]> {
  const labels = Array.from({ length: count }, (_, i) => String(i + 1).padStart(String(count).length, "0"));
  const tenants = await mapWithConcurrency(labels, 16, async (label) => {
    const t = await control.createTenant({ displayName: `Bench Customer ${label}`, domain: `benchcustomer${label}.onmicrosoft.com` });
    await control.grantConsent(t.id);
    return { label, tenantId: t.id, displayName: t.displayName };
  });
  const rows = tenants.map((t) => ({
    id: randomUUID(),
    partnerId,
    displayName: t.displayName,
    region: "eu" as const,
    tenantId: t.tenantId,
    status: "CONSENTED" as const,
    consentedAt: new Date(),
  }));
  await prisma.customer.createMany({ data: rows });
  return rows.map((r) => ({ id: r.id, tenantId: r.tenantId }));
}

async function createAdmin(prisma: PrismaClient, partnerId: string) {
  const entraObjectId = randomUUID();
  const user = await prisma.portalUser.create({
    data: { id: randomUUID(), partnerId, entraObjectId, email: "bench.admin@bench.example", displayName: "Bench Admin", role: "ADMIN", roleSource: "portal" },
  });
  return { userId: user.id, partnerId, entraObjectId, email: user.email, displayName: user.displayName };
}
