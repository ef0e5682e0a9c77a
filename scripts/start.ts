// `npm start`: the whole portal on embedded defaults (see README). Ctrl-C stops everything.
import { existsSync, writeFileSync } from "node:fs";
import { drainBeforeStopping } from "../lib/db/embedded.ts";
import { ensureNextBuild } from "./lib/next-build.ts";
import { startStack } from "./lib/stack.ts";

if (existsSync(".env")) process.loadEnvFile(".env");
process.env.NEXT_TELEMETRY_DISABLED = "1";

const log = (line: string) => console.log(`[portal] ${line}`);
const appPort = Number(process.env.PORT ?? 3000);

await ensureNextBuild(log);
const stack = await startStack({
  dataDir: ".data",
  appPort,
  simPort: Number(process.env.SIM_PORT ?? 8443),
  pgPort: Number(process.env.EMBEDDED_PG_PORT ?? 5433),
  persistent: true,
  databaseUrl: process.env.DATABASE_URL,
  seedDemo: true,
  preconsentedCustomers: 2,
  // Fixed, so the demo's seeded channels keep pointing at the receivers across restarts.
  receiverPorts: { smtp: Number(process.env.DEMO_SMTP_PORT ?? 2525), http: Number(process.env.DEMO_RECEIVER_PORT ?? 8025) },
  log,
});

// `npm run worker` in another terminal joins the same queue with the same settings.
writeFileSync(
  ".data/runtime.env",
  Object.entries(stack.appEnv)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join("\n") + "\n",
  { mode: 0o600 },
);
Object.assign(process.env, stack.appEnv);
const { startSyncWorker, surviveDatabaseRestarts } = await import("../lib/sync/worker.ts");
surviveDatabaseRestarts(log);
const worker = await startSyncWorker({ databaseUrl: stack.databaseUrl, log });

if (stack.simulator) {
  const d = stack.simulator.directory;
  const admin = d.partner.users.find((u) => u.roles.includes("Portal.Admin"));
  const analyst = d.partner.users.find((u) => u.roles.includes("Portal.Analyst") && u.roles.includes("Portal.Responder"));
  const plainAnalyst = d.partner.users.find((u) => u.roles.includes("Portal.Analyst") && !u.roles.includes("Portal.Responder"));
  console.log(`
  Defender Partner Portal is running:  ${stack.appUrl}

  Sign in with "Sign in with Microsoft"; the local Microsoft simulator lists its users, pick one:
    partner admin   ${admin?.upn ?? "(none)"}
    analyst         ${analyst?.upn ?? "(none)"}   (Responder: may isolate, scan, collect on devices)
    analyst         ${plainAnalyst?.upn ?? "(none)"}   (no Responder: response actions disabled)
  To onboard a customer, open a customer, create a consent link, open its onboarding page and sign in at the
  simulator as that customer's admin (e.g. ${d.customers[2]?.users.find((u) => u.isAdmin)?.upn ?? "admin@<customer domain>"}).

  Notifications: the local inbox ${stack.receivers?.httpUrl ?? ""}/ shows the e-mail, Teams card and webhook a new
  high-severity incident produces (Settings → Notifications as the admin).

  Simulated Microsoft: ${stack.simulator.url} (your browser will warn about its local CA, .data/certs/ca.pem:
  proceed, or import that CA)   Data: .data/ (delete it to start over)
  Press Ctrl-C to stop.
`);
} else {
  console.log(`\n  Defender Partner Portal is running: ${stack.appUrl} (Microsoft Entra ID: real tenant)\n  Press Ctrl-C to stop.\n`);
}

// In order: the worker gives back its runs, then the web server, the receivers, the simulator, PostgreSQL last.
drainBeforeStopping();
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    // tsx passes the terminal's Ctrl-C on as well: the second signal is the same request.
    if (stopping) return;
    stopping = true;
    log("Stopping…");
    await worker.stop();
    await stack.stop();
    log("Stopped.");
    process.exit(0);
  });
}
