import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { missedTargets, runScenario, type ScenarioResult } from "../../scripts/lib/chaos/campaign.ts";
import { startChaosSimulator, type ChaosEnv } from "../../scripts/lib/chaos/env.ts";
import { smoke } from "../../scripts/lib/chaos/scenarios.ts";
import { NOTIFY_SCENARIOS, runNotifyScenario } from "../../scripts/lib/chaos/notify.ts";
import { CERT_DIR } from "../../scripts/lib/stack.ts";
import { createMigratedDatabase } from "../support/db.ts";

/**
 * A slice of `npm run chaos`: the worker process syncs four tenants through 20% 5xx and 10% malformed bodies, one of
 * them revoked, and is SIGKILLed once mid-sync and restarted; after a converging run the store must match the
 * simulator's ground truth exactly and the revoked tenant must be flagged.
 */
let simulator: Awaited<ReturnType<typeof startChaosSimulator>>;
let result: ScenarioResult;
let env: ChaosEnv;

/** The campaign's progress and the workers' output, kept quiet unless the slice runs far past its usual 40 s. */
const progress: string[] = [];
const record = (line: string) => {
  progress.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  progress.splice(0, Math.max(0, progress.length - 200));
};
const STUCK_AFTER_MS = 4 * 60_000;

const watchdog = setTimeout(() => {
  process.stderr.write(`chaos slice still running after ${STUCK_AFTER_MS / 60_000} minutes; its last lines:\n${progress.join("\n")}\n`);
}, STUCK_AFTER_MS).unref();

before(async () => {
  simulator = await startChaosSimulator({ port: 0, certDir: CERT_DIR });
  env = {
    ...simulator,
    caPath: process.env.NODE_EXTRA_CA_CERTS ?? join(CERT_DIR, "ca.pem"),
    newDatabase: (label) => createMigratedDatabase(`chaos_${label}`),
    restartPostgres: null,
    tokenOutageMs: 0,
    workerKills: 1,
    // As npm run chaos allows. 30 s failed this check once in about fifteen runs (2026-12-02); likely a run that
    // used up its attempts under 30 % faults, which pg-boss retries only after its 30 s delay.
    workerFinishMs: 90_000,
    verbose: true,
    log: record,
    notifyOutageMs: 5_000,
    notifyKills: 2,
  };
  result = await runScenario(env, smoke);
});
after(async () => {
  clearTimeout(watchdog);
  await simulator?.sim.close();
});

test("faults and a SIGKILL lose, duplicate and leave stale no incident or alert", () => {
  assert.equal(result.error, null, result.error ?? "");
  assert.deepEqual(result.audit?.incidents, { lost: 0, duplicated: 0, stale: 0 });
  assert.deepEqual(result.audit?.alerts, { lost: 0, duplicated: 0, stale: 0 });
});

test("every healthy tenant completes and the revoked one is flagged REVOKED with AADSTS700016", () => {
  assert.deepEqual(result.audit?.completed, { ok: 3, of: 3 }, missedTargets(result).join("\n"));
  assert.deepEqual(result.audit?.flagged, { ok: 1, of: 1 }, missedTargets(result).join("\n"));
  const unexpected = result.checks.find((c) => c.name.startsWith("no run failed unexpectedly"));
  assert.ok(unexpected?.ok, unexpected?.detail);
});

test("the worker restarted after a SIGKILL finishes every feed (the dead runs' leases expire and are requeued)", () => {
  const finished = result.checks.find((c) => c.name.startsWith("restarted worker finished"));
  assert.ok(finished?.ok, finished?.detail);
});

// Notifications (issue 10 §2): audited at the local receiver by delivery id.
for (const scenario of NOTIFY_SCENARIOS) {
  test(`${scenario.name}: ${scenario.summary} — nothing lost, nothing duplicated`, async () => {
    const r = await runNotifyScenario(env, scenario);
    assert.equal(r.error, null, r.error ?? "");
    assert.ok(r.audit);
    assert.deepEqual(
      { lost: r.audit.lost, duplicated: r.audit.duplicated, failed: r.audit.failed, delivered: r.audit.delivered },
      { lost: 0, duplicated: 0, failed: 0, delivered: r.audit.expected },
      r.notes.join("\n"),
    );
  });
}
