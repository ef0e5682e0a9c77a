import { randomBytes, randomUUID } from "node:crypto";
import { startSimulator, type SimulatorHandle } from "../../../simulator/server.ts";
import { SimControl } from "../../../tests/support/sim-control.ts";
import type { ScenarioDatabase } from "./postgres.ts";

/** Everything a scenario runs against: the simulator (ground truth), a database factory, the knobs of the campaign. */
export interface ChaosEnv {
  sim: SimulatorHandle;
  control: SimControl;
  app: { clientId: string; clientSecret: string };
  /** NODE_EXTRA_CA_CERTS for spawned workers (the simulator's CA). */
  caPath: string;
  newDatabase(label: string): Promise<ScenarioDatabase>;
  /** Restarts PostgreSQL under every database (null when the campaign does not own the server). */
  restartPostgres: ((downMs: number) => Promise<void>) | null;
  /** How long the token endpoint stays down in the token-outage scenario. */
  tokenOutageMs: number;
  /** SIGKILLs of the worker in the worker-sigkill scenario. */
  workerKills: number;
  /** How long a restarted worker gets to finish every feed (its scheduler polls every 5 s). */
  workerFinishMs: number;
  /** How long the webhook receiver stays down in notify-receiver-down (ms). Default 8 s. */
  notifyOutageMs?: number;
  /** SIGKILLs of the worker in notify-worker-sigkill. Default 3. */
  notifyKills?: number;
  /** Echo the worker processes' output. */
  verbose: boolean;
  log(line: string): void;
}

/** The simulator the campaign runs against: a fresh app registration, Defender data with the documented quotas. */
export async function startChaosSimulator(opts: { port: number; certDir: string }) {
  const app = { clientId: randomUUID(), clientSecret: randomBytes(24).toString("base64url") };
  const sim = await startSimulator({
    port: opts.port,
    certDir: opts.certDir,
    seed: "chaos",
    app: { clientId: app.clientId, displayName: "Chaos campaign", clientSecrets: [app.clientSecret], certificates: [], redirectUris: [] },
    // hangMs: a "timeout" fault holds the socket this long; the sync client gives up well before.
    defender: { incidentsPerTenant: 40, quotas: true, hangMs: 8_000 },
  });
  return { sim, app, control: new SimControl(sim.url) };
}
