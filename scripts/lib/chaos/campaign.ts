import { createPrismaClient } from "../../../lib/db/client.ts";
import { auditFleet, type FleetAudit } from "./audit.ts";
import type { ChaosEnv } from "./env.ts";
import { ScenarioRun, type Check } from "./scenario-run.ts";

export interface Scenario {
  name: string;
  /** One line for the table. */
  summary: string;
  /** Part of `--quick`. */
  quick: boolean;
  /** Creates its tenants, injects its faults and drives the sync; the campaign then converges and audits. */
  run(s: ScenarioRun): Promise<void>;
}

export interface ScenarioResult {
  name: string;
  summary: string;
  seconds: number;
  tenants: number;
  audit: FleetAudit | null;
  checks: Check[];
  notes: string[];
  /** The scenario itself crashed (not a target miss). */
  error: string | null;
  passed: boolean;
}

/**
 * Runs one scenario on a database of its own, then, as a real deployment would on its next scheduled run, clears
 * the faults, lets one more sync round converge, and compares the store with the simulator's ground truth.
 */
export async function runScenario(env: ChaosEnv, scenario: Scenario): Promise<ScenarioResult> {
  const started = Date.now();
  env.log(`▶ ${scenario.name}: ${scenario.summary}`);
  const db = await env.newDatabase(scenario.name);
  const prisma = createPrismaClient(db.url);
  const s = new ScenarioRun(env, db, prisma);
  let audit: FleetAudit | null = null;
  let error: string | null = null;
  try {
    await scenario.run(s);
    await s.stopWorkers();
    await s.clearFaults();
    await s.round("convergence run");
    s.check(
      "no run failed unexpectedly (internal_error)",
      s.unexpectedFailures === 0,
      `${s.unexpectedFailures} run(s); see the "sync: unexpected error" log lines above`,
    );
    audit = await auditFleet(env, prisma, s.fleet);
  } catch (err) {
    error = (err as Error).stack ?? String(err);
  } finally {
    await s.stopWorkers().catch(() => {});
    await s.clearFaults().catch(() => {});
    await prisma.$disconnect().catch(() => {});
    await db.drop().catch(() => {});
  }
  const result: ScenarioResult = {
    name: scenario.name,
    summary: scenario.summary,
    seconds: Math.round((Date.now() - started) / 1000),
    tenants: s.fleet.length,
    audit,
    checks: s.checks,
    notes: s.notes,
    error,
    passed: false,
  };
  result.passed = targetsMet(result);
  env.log(`${result.passed ? "✔" : "✘"} ${scenario.name} (${result.seconds} s)`);
  for (const miss of missedTargets(result)) env.log(`    miss: ${miss}`);
  return result;
}

/** Every target: nothing lost, duplicated or stale; every healthy tenant complete; every broken one flagged right. */
export function targetsMet(r: ScenarioResult): boolean {
  return missedTargets(r).length === 0;
}

export function missedTargets(r: ScenarioResult): string[] {
  if (r.error) return [`scenario crashed: ${r.error.split("\n")[0]}`];
  if (!r.audit) return ["no audit"];
  return [...r.audit.misses, ...r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)];
}
