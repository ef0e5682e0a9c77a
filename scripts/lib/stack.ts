import { spawn, type ChildProcess } from "node:child_process";
import { productionNodeArgs } from "./production-command.ts";
import { createWriteStream, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureCertificates } from "../../simulator/certs.ts";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../lib/db/embedded.ts";
import { migrate } from "../../lib/db/migrate.ts";
import { loadOrCreateDevCredentials } from "./dev-credentials.ts";
import { seedDemo } from "./seed.ts";
import { startReceivers, type ReceiversHandle } from "../../simulator/receivers/server.ts";
import { createDemoIncident, loadOrCreateNotifyKey, notifyDemoEnv } from "./notify-demo.ts";
import { seedNotificationsDemo } from "./seed-notifications.ts";

/**
 * Composes the whole portal: PostgreSQL (embedded unless DATABASE_URL), the local Microsoft simulator (unless real
 * Entra settings are given), migrations, demo data, and `next start`. Used by `npm start` and by the tests.
 */
export interface StackOptions {
  dataDir: string;
  appPort: number;
  simPort: number;
  pgPort: number;
  /** Keep the embedded database and the simulator's state across restarts. */
  persistent: boolean;
  /** An external PostgreSQL instead of the embedded one. */
  databaseUrl?: string;
  /** Create the demo partner, users and customers when the database has no partner yet. */
  seedDemo: boolean;
  preconsentedCustomers?: number;
  /** Ports of the local SMTP and webhook receivers (0 = any free port). */
  receiverPorts?: { smtp: number; http: number };
  /** Extra environment for the Next process (e.g. CONSENT_LINK_TTL_HOURS). */
  appEnv?: Record<string, string>;
  log?: (line: string) => void;
}

export interface Stack {
  appUrl: string;
  databaseUrl: string;
  simulator: SimulatorHandle | null;
  /** The local notification receivers (simulated mode only). */
  receivers: ReceiversHandle | null;
  /** The environment the Next process runs with (secrets included: never print it). */
  appEnv: Record<string, string>;
  stop(): Promise<void>;
}

export const CERT_DIR = resolve(".data/certs");

/**
 * The portal's settings for a database and the local simulator: Entra sign-in, consent and tokens against the
 * simulator's authority, and every Microsoft API host served under the simulator's URL (https://localhost:PORT/{host}/).
 * One place for npm start, the bench, the chaos campaign and the tests.
 */
export function simulatedPortalEnv(o: {
  databaseUrl: string;
  appUrl: string;
  authSecret: string;
  sim: Pick<SimulatorHandle, "url" | "directory">;
  clientId: string;
  clientSecret: string;
}): Record<string, string> {
  return {
    DATABASE_URL: o.databaseUrl,
    NEXTAUTH_URL: o.appUrl,
    NEXTAUTH_SECRET: o.authSecret,
    ENTRA_AUTHORITY_HOST: o.sim.url,
    MICROSOFT_API_BASE: o.sim.url,
    ENTRA_PARTNER_TENANT_ID: o.sim.directory.partner.id,
    ENTRA_CLIENT_ID: o.clientId,
    ENTRA_CLIENT_SECRET: o.clientSecret,
  };
}

function requireCaTrust(caPath: string) {
  if (process.env.NODE_EXTRA_CA_CERTS !== caPath) {
    throw new Error(`This process must start with NODE_EXTRA_CA_CERTS=${caPath} so MSAL trusts the local simulator (use npm start / npm test).`);
  }
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  };
  try {
    const appUrl = `http://localhost:${opts.appPort}`;
    const realEntra = Boolean(process.env.ENTRA_CLIENT_ID);

    let databaseUrl = opts.databaseUrl;
    if (!databaseUrl) {
      const pg: EmbeddedDatabase = await startEmbeddedPostgres({ dir: join(opts.dataDir, "postgres"), port: opts.pgPort, persistent: opts.persistent });
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
      log(`PostgreSQL (embedded) on port ${opts.pgPort}, data in ${join(opts.dataDir, "postgres")}`);
    }
    const { applied } = await migrate(databaseUrl);
    if (applied.length) log(`Applied ${applied.length} migration(s).`);

    let simulator: SimulatorHandle | null = null;
    let receivers: ReceiversHandle | null = null;
    let appEnv: Record<string, string>;
    if (realEntra) {
      appEnv = { DATABASE_URL: databaseUrl, NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? appUrl };
    } else {
      const certs = ensureCertificates(CERT_DIR);
      requireCaTrust(certs.caCertPath);
      const creds = loadOrCreateDevCredentials(join(opts.dataDir, "dev-credentials.json"));
      simulator = await startSimulator({
        port: opts.simPort,
        certDir: CERT_DIR,
        seed: "demo",
        stateFile: opts.persistent ? join(opts.dataDir, "simulator", "state.json") : undefined,
        app: {
          clientId: creds.clientId,
          displayName: "Contoso MSSP Defender Portal",
          clientSecrets: [creds.clientSecret],
          certificates: [],
          redirectUris: [`${appUrl}/consent/callback`, `${appUrl}/api/auth/callback/azure-ad`, `${appUrl}/connect/callback`],
        },
        preconsentedCustomers: opts.preconsentedCustomers ?? 0,
      });
      const sim = simulator;
      cleanups.push(() => sim.close());
      log(`Microsoft simulator on ${sim.url}`);
      appEnv = {
        ...simulatedPortalEnv({ databaseUrl, appUrl, authSecret: creds.authSecret, sim, clientId: creds.clientId, clientSecret: creds.clientSecret }),
        PARTNER_NAME: sim.directory.partner.displayName,
        PARTNER_CONTACT_EMAIL: `soc@${sim.directory.partner.domain}`,
      };
      if (opts.seedDemo) await seedDemo({ databaseUrl, simulator: sim, clientId: creds.clientId, clientSecret: creds.clientSecret, log });
      // Notifications (issue 10 §2): a local SMTP and webhook receiver, the only private origin channels may target.
      const rx = await startReceivers({
        smtpPort: opts.receiverPorts?.smtp ?? 0,
        httpPort: opts.receiverPorts?.http ?? 0,
        log,
        demoIncident: opts.seedDemo ? () => createDemoIncident(sim) : undefined,
      });
      receivers = rx;
      cleanups.push(() => rx.close());
      const notifyKey = loadOrCreateNotifyKey(join(opts.dataDir, "notify-encryption.key"));
      appEnv = { ...appEnv, ...notifyDemoEnv(rx, notifyKey.file) };
      // Analysts' delegated token caches (issue 13) are sealed under their own key, created once like the others.
      appEnv.TOKEN_CACHE_ENCRYPTION_KEY_FILE = loadOrCreateNotifyKey(join(opts.dataDir, "token-cache-encryption.key")).file;
      if (opts.seedDemo) await seedNotificationsDemo({ databaseUrl, receiverUrl: rx.httpUrl, encryptionKey: notifyKey.key, log });
    }
    appEnv = { ...appEnv, ...opts.appEnv };

    mkdirSync(opts.dataDir, { recursive: true });
    const next = await startNext(opts.appPort, appEnv, log, join(opts.dataDir, "portal.log"));
    cleanups.push(() => stopChild(next));
    return { appUrl, databaseUrl, simulator, receivers, appEnv, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Runs the built portal (scripts/serve.mjs: `next start` plus the client's socket address for the anonymous rate
 * limit); its whole output also goes to `logFile` (the secrets scan reads it).
 */
async function startNext(port: number, env: Record<string, string>, log: (l: string) => void, logFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, productionNodeArgs("serve"), {
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const logStream = createWriteStream(logFile, { flags: "a" });
  child.stdout!.on("data", (d) => {
    output = (output + d).slice(-4000);
    logStream.write(d);
  });
  child.stderr!.on("data", (d) => {
    output = (output + d).slice(-4000);
    logStream.write(d);
    process.stderr.write(d);
  });
  child.once("exit", () => logStream.end());
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`http://localhost:${port}/signin`, { redirect: "manual" });
      if (res.status < 500) {
        log(`Portal on http://localhost:${port}`);
        return child;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`next start did not answer within 60 s:\n${output}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}
