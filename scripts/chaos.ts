// `npm run chaos`: a fault campaign against the sync pipeline, with the simulator's data as ground truth. Each
// scenario gets fresh tenants and a database of its own, injects its faults (429 storms, 5xx, timeouts, malformed
// JSON, token endpoint down, consent revoked mid-sync, no licence, the worker SIGKILLed, PostgreSQL restarted), lets
// a final sync converge with the faults cleared, and audits the store. Exits 1 when any target is missed.
//   npm run chaos                      every scenario
//   npm run chaos -- --quick           a small fast subset (token outage 10 s, 3 SIGKILLs)
//   npm run chaos -- --scenario NAME   one scenario (see the table for names)
//   --verbose                          echo the worker processes' output
//   --outage-seconds N                 how long the token endpoint stays down (default 60, --quick 10)
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runScenario, type ScenarioResult } from "./lib/chaos/campaign.ts";
import { startChaosSimulator, type ChaosEnv } from "./lib/chaos/env.ts";
import { createScenarioDatabase, startChaosPostgres } from "./lib/chaos/postgres.ts";
import { formatReport } from "./lib/chaos/report.ts";
import { SCENARIOS } from "./lib/chaos/scenarios.ts";
import { formatNotifyReport, NOTIFY_SCENARIOS, runNotifyScenario, type NotifyScenarioResult } from "./lib/chaos/notify.ts";
import { CERT_DIR } from "./lib/stack.ts";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    scenario: { type: "string" },
    "outage-seconds": { type: "string" },
    "pg-port": { type: "string", default: "5620" },
    "sim-port": { type: "string", default: "8620" },
  },
});

const selected = args.scenario ? SCENARIOS.filter((s) => s.name === args.scenario) : SCENARIOS.filter((s) => !args.quick || s.quick);
// The notification scenarios (receiver down, worker SIGKILLed mid-delivery) are quick: they run in --quick too.
const notifySelected = args.scenario ? NOTIFY_SCENARIOS.filter((s) => s.name === args.scenario) : NOTIFY_SCENARIOS;
if (selected.length === 0 && notifySelected.length === 0) {
  console.error(`Unknown scenario '${args.scenario}'. Scenarios: ${[...SCENARIOS, ...NOTIFY_SCENARIOS].map((s) => s.name).join(", ")}`);
  process.exit(2);
}

const caPath = join(CERT_DIR, "ca.pem");
if (process.env.NODE_EXTRA_CA_CERTS !== caPath) {
  console.error(`Run with NODE_EXTRA_CA_CERTS=${caPath} (npm run chaos does).`);
  process.exit(2);
}

const postgres = await startChaosPostgres({ dir: resolve(".data/chaos-pg"), port: Number(args["pg-port"]) });
const { sim, app, control } = await startChaosSimulator({ port: Number(args["sim-port"]), certDir: CERT_DIR });
const env: ChaosEnv = {
  sim,
  control,
  app,
  caPath,
  newDatabase: (label) => createScenarioDatabase(postgres.adminUrl, label),
  restartPostgres: (downMs) => postgres.restart(downMs),
  tokenOutageMs: Number(args["outage-seconds"] ?? (args.quick ? 10 : 60)) * 1000,
  workerKills: args.quick ? 3 : 10,
  workerFinishMs: 90_000,
  verbose: args.verbose,
  log: (line) => console.log(line),
};

const results: ScenarioResult[] = [];
const notifyResults: NotifyScenarioResult[] = [];
try {
  for (const scenario of selected) results.push(await runScenario(env, scenario));
  for (const scenario of notifySelected) notifyResults.push(await runNotifyScenario(env, scenario));
} finally {
  await sim.close();
  await postgres.stop();
}
if (results.length) console.log(`\n${formatReport(results)}`);
if (notifyResults.length) console.log(`\n${formatNotifyReport(notifyResults)}`);
process.exit(results.every((r) => r.passed) && notifyResults.every((r) => r.passed) ? 0 : 1);
