import type { PrismaClient } from "../../../lib/db/client.ts";
import type { Faults } from "../../../simulator/defender/service.ts";
import type { ChaosEnv } from "./env.ts";
import { createFleet, type FleetTenant, type TenantSpec } from "./fleet.ts";
import { InProcessSync, type RoundResult } from "./in-process-sync.ts";
import type { ScenarioDatabase } from "./postgres.ts";
import { WorkerProcess } from "./worker-process.ts";

/** A target of a scenario beyond the store audit (e.g. "the restarted worker finished"). */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What a scenario works with: its own database and tenants, the in-process pipeline, worker processes. */
export class ScenarioRun {
  fleet: FleetTenant[] = [];
  readonly sync: InProcessSync;
  readonly checks: Check[] = [];
  readonly notes: string[] = [];
  /** Runs that failed with internal_error: no injected fault explains one, so each is a portal bug. */
  unexpectedFailures = 0;
  private readonly workers: WorkerProcess[] = [];

  constructor(
    readonly env: ChaosEnv,
    readonly db: ScenarioDatabase,
    readonly prisma: PrismaClient,
  ) {
    this.sync = new InProcessSync(env, prisma);
  }

  async createFleet(specs: TenantSpec[]): Promise<FleetTenant[]> {
    this.fleet = await createFleet(this.env, this.prisma, specs);
    return this.fleet;
  }

  tenant(label: string): FleetTenant {
    const t = this.fleet.find((x) => x.label === label);
    if (!t) throw new Error(`no tenant ${label} in this scenario`);
    return t;
  }

  async setFaults(tenants: FleetTenant[], faults: Faults): Promise<void> {
    await Promise.all(tenants.map((t) => this.env.control.setFaults(t.tenantId, faults)));
  }

  async clearFaults(): Promise<void> {
    await this.setFaults(this.fleet, {});
  }

  /** New and updated incidents in every licensed tenant, so a stale or lost copy shows in the audit. */
  async changeData(change = { create: 2, update: 3 }): Promise<void> {
    const licensed = this.fleet.filter((t) => t.expect.kind === "complete");
    await Promise.all(licensed.map((t) => this.env.control.tick(t.tenantId, change)));
  }

  /** One in-process sync round while `during` runs alongside it (faults flipped or data changed mid-sync). */
  async round(label: string, during?: () => Promise<void>): Promise<RoundResult> {
    const [result] = await Promise.all([this.sync.round(this.fleet), during?.()]);
    this.unexpectedFailures += result.errors.internal_error ?? 0;
    this.note(`${label}: ${result.failed}/${result.runs} runs failed${formatErrors(result.errors)}`);
    return result;
  }

  check(name: string, ok: boolean, detail: string): void {
    this.checks.push({ name, ok, detail });
  }

  note(line: string): void {
    this.notes.push(line);
    this.env.log(`    ${line}`);
  }

  startWorker(): WorkerProcess {
    const w = WorkerProcess.start(this.env, this.db.url);
    this.workers.push(w);
    return w;
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  /**
   * Waits until a feed run started after `since` (of `tenant`, or any) is in progress; false when none started
   * within `timeoutMs`.
   */
  async waitForRunningSync(since: Date, timeoutMs: number, tenant?: FleetTenant): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const where = { running: true, runStartedAt: { gte: since }, ...(tenant ? { customerId: tenant.customerId } : {}) };
    while (Date.now() < deadline) {
      const n = await this.prisma.syncState.count({ where });
      if (n > 0) return true;
      await sleep(100);
    }
    return false;
  }

  /**
   * Waits until every healthy tenant's feeds have completed a run after `since` (and none is marked running).
   * Returns the feeds still unfinished at the deadline (empty when finished).
   */
  async waitForWorkerToFinish(since: Date, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const unfinished = await this.unfinishedFeeds(since);
      if (unfinished.length === 0 || Date.now() > deadline) return unfinished;
      await sleep(500);
    }
  }

  private async unfinishedFeeds(since: Date): Promise<string[]> {
    const healthy = this.fleet.filter((t) => t.expect.kind === "complete");
    const states = await this.prisma.syncState.findMany({ where: { customerId: { in: healthy.map((t) => t.customerId) } } });
    const out: string[] = [];
    for (const t of healthy) {
      for (const feed of ["incidents", "alerts"]) {
        const s = states.find((x) => x.customerId === t.customerId && x.feed === feed);
        if (!s?.lastSuccessAt || s.lastSuccessAt < since || s.running) {
          out.push(`${t.label}/${feed}${s?.running ? ` (running since ${s.runStartedAt?.toISOString().slice(11, 19)})` : ""}`);
        }
      }
    }
    return out;
  }
}

function formatErrors(errors: Record<string, number>): string {
  const parts = Object.entries(errors).map(([code, n]) => `${code}×${n}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}
