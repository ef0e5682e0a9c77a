import type { Faults } from "../../../simulator/defender/service.ts";
import type { Scenario } from "./campaign.ts";
import { healthy, REVOKED, UNLICENSED } from "./fleet.ts";
import { sleep, type ScenarioRun } from "./scenario-run.ts";

/** Incidents per tenant: 3 Graph pages of incidents and several of alerts, so faults hit mid-pagination. */
const VOLUME = 150;
/** Bigger tenants with added latency where a sync must last long enough to be interrupted. */
const SLOW_VOLUME = 300;
const SLOW_LATENCY_MS = 100;

/** The line of a crashed worker's output that names the error. */
const firstError = (output: string[]) =>
  output
    .find((l) => /Error|error:/.test(l))
    ?.trim()
    .slice(0, 300) ?? output.slice(-2).join(" | ");

const randomBetween = (min: number, max: number) => min + Math.random() * (max - min);

/** Six faulty tenants and two clean ones, two sync rounds with data changing mid-round, then convergence. */
function apiFaultScenario(name: string, summary: string, faults: Faults, quick: boolean): Scenario {
  return {
    name,
    summary,
    quick,
    async run(s) {
      await s.createFleet([...healthy("Faulty", 6, VOLUME), ...healthy("Clean", 2, VOLUME)]);
      await s.setFaults(s.fleet.slice(0, 6), faults);
      for (const round of [1, 2]) await s.round(`round ${round} under faults`, () => sleep(300).then(() => s.changeData()));
    },
  };
}

const tokenOutage: Scenario = {
  name: "token-outage",
  summary: "token endpoint down (503, AADSTS90033) for three tenants, then back",
  quick: true,
  async run(s) {
    await s.createFleet([...healthy("Outage", 3, VOLUME), ...healthy("Clean", 5, VOLUME)]);
    const down = s.fleet.slice(0, 3);
    await s.setFaults(down, { tokenEndpointDown: true });
    const until = Date.now() + s.env.tokenOutageMs;
    let round = 0;
    // The worker keeps running its schedule through the outage: every run of those tenants fails, none may flag them.
    while (Date.now() < until) {
      round += 1;
      await s.round(`round ${round} during the outage`, () => s.changeData({ create: 1, update: 1 }));
      await sleep(Math.min(5_000, Math.max(0, until - Date.now())));
    }
    await s.setFaults(down, {});
    await s.round("first round after the outage");
  },
};

const revokedMidSync: Scenario = {
  name: "revoked-mid-sync",
  summary: "one tenant's consent revoked while its sync runs",
  quick: true,
  async run(s) {
    await s.createFleet([...healthy("Healthy", 7, SLOW_VOLUME), { label: "Revoked", volume: SLOW_VOLUME, expect: REVOKED }]);
    await s.setFaults(s.fleet, { latencyMs: SLOW_LATENCY_MS });
    const revoked = s.tenant("Revoked");
    await s.round("round 1, consent revoked while the tenant's own sync runs", async () => {
      const caught = await s.waitForRunningSync(new Date(0), 60_000, revoked);
      await s.env.control.revokeConsent(revoked.tenantId);
      if (!caught) s.note("the revoked tenant's sync was not seen running: revoked after it");
    });
    await s.round("round 2, same process", () => s.changeData());
    const status = (await s.prisma.customer.findUniqueOrThrow({ where: { id: revoked.customerId } })).status;
    // Entra access tokens outlive a revocation; the portal learns of it when its cached token expires (≤ 1 h).
    s.note(`revoked tenant after a second run with the cached token: ${status}`);
    s.sync.nextProcess();
    s.note("convergence with a new token cache (the cached tokens have expired by the next run that matters)");
  },
};

const unlicensed: Scenario = {
  name: "unlicensed",
  summary: "one tenant without a Defender licence among faulty healthy ones",
  quick: false,
  async run(s) {
    await s.createFleet([...healthy("Healthy", 7, VOLUME), { label: "NoLicence", licensed: false, expect: UNLICENSED }]);
    await s.setFaults(s.fleet, { errorRate: 0.1 });
    await s.round("round 1 under 10% 5xx", () => sleep(300).then(() => s.changeData()));
  },
};

/** Kills the worker process `kills` times at random points of a sync, then restarts it and waits for it to finish. */
async function killWorkerRepeatedly(s: ScenarioRun, kills: number): Promise<void> {
  for (let k = 1; k <= kills; k++) {
    const since = new Date();
    const worker = s.startWorker();
    // After a few kills nothing may be runnable any more (see the check below): do not wait long for a sync.
    const running = await s.waitForRunningSync(since, 15_000);
    await sleep(randomBetween(0, 2_000));
    await worker.kill();
    const zombies = await s.prisma.syncState.count({ where: { running: true } });
    s.note(`kill ${k}: SIGKILL ${running ? "mid-sync" : "with no sync running"}, ${zombies} feed(s) left marked running`);
    if (k % 2 === 0) await s.changeData();
  }
  await expectRestartedWorkerToFinish(s, "after the SIGKILLs");
}

async function expectRestartedWorkerToFinish(s: ScenarioRun, when: string): Promise<void> {
  // As if every feed's next scheduled run had come round: finished feeds run again, and the dead worker's runs
  // (marked running, or taken from the queue but never started) must be recovered through their leases.
  await s.prisma.syncState.updateMany({ where: { running: false }, data: { nextRunAt: new Date() } });
  const since = new Date();
  const worker = s.startWorker();
  const unfinished = await s.waitForWorkerToFinish(since, s.env.workerFinishMs);
  const seconds = Math.round((Date.now() - since.getTime()) / 1000);
  s.check(
    `restarted worker finished every feed ${when}`,
    unfinished.length === 0,
    unfinished.length ? `after ${seconds} s, unfinished: ${unfinished.join(", ")}` : `in ${seconds} s`,
  );
  if (worker.exited) s.note(`worker ended: ${worker.exited}; last output: ${worker.output.slice(-3).join(" | ")}`);
}

const workerSigkill: Scenario = {
  name: "worker-sigkill",
  summary: "worker process SIGKILLed at random points mid-sync, then restarted",
  quick: true,
  async run(s) {
    await s.createFleet(healthy("Healthy", 8, SLOW_VOLUME));
    await s.setFaults(s.fleet, { latencyMs: SLOW_LATENCY_MS });
    await killWorkerRepeatedly(s, s.env.workerKills);
  },
};

const postgresRestart: Scenario = {
  name: "postgres-restart",
  summary: "PostgreSQL stopped and started mid-sync under a running worker",
  quick: false,
  async run(s) {
    if (!s.env.restartPostgres) throw new Error("this campaign does not own its PostgreSQL server");
    await s.createFleet(healthy("Healthy", 8, SLOW_VOLUME));
    await s.setFaults(s.fleet, { latencyMs: SLOW_LATENCY_MS });
    const worker = s.startWorker();
    await s.waitForRunningSync(new Date(0), 30_000);
    await sleep(1_000);
    await s.env.restartPostgres(3_000);
    s.note("PostgreSQL restarted (3 s down)");
    await s.changeData();
    await sleep(5_000);
    // A supervisor (systemd, Kubernetes) restarts a worker that died; the check is that the data comes out right.
    s.check(
      "worker process survived the restart",
      worker.exited === null,
      worker.exited ? `ended: ${worker.exited}: ${firstError(worker.output)}` : "still running",
    );
    if (!worker.exited) await worker.stop();
    await expectRestartedWorkerToFinish(s, "after the Postgres restart");
  },
};

/** The subset `npm test` runs: 5xx and malformed bodies, a revoked tenant, one SIGKILL of the worker mid-sync. */
export const smoke: Scenario = {
  name: "smoke",
  summary: "5xx + malformed JSON, a revoked tenant, one worker SIGKILL mid-sync",
  quick: false,
  async run(s) {
    await s.createFleet([...healthy("Healthy", 3, 100), { label: "Revoked", volume: 100, expect: REVOKED }]);
    await s.env.control.revokeConsent(s.tenant("Revoked").tenantId);
    await s.setFaults(s.fleet, { errorRate: 0.2, malformedRate: 0.1, latencyMs: 50 });
    await killWorkerRepeatedly(s, 1);
  },
};

export const SCENARIOS: Scenario[] = [
  apiFaultScenario("throttle-storm", "429 storms with Retry-After on 50% of calls", { throttleRate: 0.5 }, false),
  apiFaultScenario("server-errors", "20% of calls answer 500/503", { errorRate: 0.2 }, true),
  apiFaultScenario("timeouts", "15% of calls hang past the client's timeout", { timeoutRate: 0.15 }, false),
  apiFaultScenario("malformed-json", "20% of calls answer 200 with a cut body", { malformedRate: 0.2 }, true),
  tokenOutage,
  revokedMidSync,
  unlicensed,
  workerSigkill,
  postgresRestart,
];
