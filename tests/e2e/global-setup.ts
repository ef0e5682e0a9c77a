import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { startStack } from "../../scripts/lib/stack.ts";
import { createMigratedDatabase } from "../support/db.ts";

// Overridable so two checkouts on one machine can run their suites side by side.
export const E2E = { appPort: Number(process.env.E2E_APP_PORT ?? 3100), simPort: Number(process.env.E2E_SIM_PORT ?? 8543) };

/** Starts the portal (built), the simulator and a fresh database for the Playwright suite. */
export default async function globalSetup() {
  const database = await createMigratedDatabase("e2e");
  const dataDir = join(".data", "e2e");
  rmSync(dataDir, { recursive: true, force: true });
  const stack = await startStack({
    dataDir,
    appPort: E2E.appPort,
    simPort: E2E.simPort,
    pgPort: 0,
    persistent: false,
    databaseUrl: database.url,
    seedDemo: false,
    // Loopback is the trusted proxy here, so a spec can act as many clients (X-Forwarded-For) against one portal;
    // specs that flood the anonymous routes use an address of their own, never the browser's 127.0.0.1.
    // METRICS_TOKEN turns on GET /api/metrics (the secrets scan reads it).
    appEnv: {
      PARTNER_NAME: "Contoso MSSP",
      TRUSTED_PROXIES: "127.0.0.1, ::1",
      ANON_RATE_LIMIT_PER_MINUTE: "50",
      METRICS_TOKEN: randomBytes(24).toString("hex"),
    },
  });
  // Workers read these: the same environment the portal runs with, so they can use lib/ directly.
  Object.assign(process.env, stack.appEnv, { E2E_SIM_URL: stack.simulator!.url, E2E_APP_URL: stack.appUrl, E2E_RUN: randomBytes(3).toString("hex") });
  return async () => {
    await stack.stop();
    await database.drop();
  };
}
