import type { Viewer } from "../../../lib/auth/viewer.ts";
import { huntConfig } from "../../../lib/config/hunting.ts";
import { createHuntRun } from "../../../lib/data/hunting.ts";
import { peakRssMiB, type Cleanup } from "./processes.ts";
import { startWorkers } from "./sync.ts";
import { mapWithConcurrency, sleep } from "./pool.ts";
import type { BenchOptions } from "./args.ts";
import type { BenchEnvironment } from "./setup.ts";

export interface HuntingFigures {
  tenants: number;
  concurrency: number;
  query: string;
  /** One query alone at one tenant, as the simulator answers it (its latency knobs included). */
  singleQueryMs: number;
  wallS: number;
  /** ceil(tenants ÷ HUNT_CONCURRENCY) × one query: each tenant is asked once, far under its 45 calls/minute. */
  lowerBoundS: number;
  ratio: number;
  rowsKept: number;
  rowCap: number;
  truncated: boolean;
  done: number;
  failed: number;
  /** 429s the simulator gave (calls per minute or CPU quota): 0 means the portal kept every tenant inside its quota. */
  throttled: number;
  /** The worker that ran the hunt: VmHWM before the hunt (after start-up) and after it. */
  workerRssBeforeMiB: number | null;
  peakWorkerRssMiB: number | null;
}

const GRAPH = "https://graph.microsoft.com";

/**
 * A hunt across every bench tenant, run by a real worker process (scripts/worker.ts) that holds the results on their
 * way to PostgreSQL: wall time against its lower bound (the fan-out's concurrency × one query's latency; per-tenant
 * quotas do not bind at one call per tenant) and the worker's peak RSS (VmHWM) before and after.
 */
export async function measureHunting(env: BenchEnvironment, opts: BenchOptions, cleanup: Cleanup, log: (line: string) => void): Promise<HuntingFigures> {
  const { control, prisma } = env;
  log(`Hunting: granting ThreatHunting.Read.All in ${env.customers.length} tenants…`);
  await mapWithConcurrency(env.customers, 16, async (c) => {
    await control.setRoles(c.tenantId, GRAPH, ["SecurityIncident.Read.All", "SecurityAlert.Read.All", "ThreatHunting.Read.All"]);
  });
  await prisma.customer.updateMany({
    where: { id: { in: env.customers.map((c) => c.id) } },
    data: { grantedRoles: { push: `${GRAPH}/ThreatHunting.Read.All` } },
  });
  // Each query takes the bench's API latency at the simulator, like every other call.
  await control.setHuntingDefaults({ slowMs: opts.latencyMs });
  await env.control.resetHuntingCounters();
  // Nothing else for the worker to do: every feed is due in an hour (also with --only hunting, before any sync).
  const later = new Date(Date.now() + 3_600_000);
  await prisma.syncState.updateMany({ data: { nextRunAt: later } });
  await prisma.syncState.createMany({
    data: env.customers.flatMap((c) => (["incidents", "alerts"] as const).map((feed) => ({ customerId: c.id, feed, source: opts.source, nextRunAt: later }))),
    skipDuplicates: true,
  });

  const query = "DeviceProcessEvents | project Timestamp, DeviceName, FileName, ProcessCommandLine | take 100";
  const concurrency = huntConfig().concurrency;
  const {
    workers: [worker],
  } = await startWorkers(env, 1, cleanup, { HUNT_CONCURRENCY: String(concurrency) });
  const single = await timeOneQuery(env, query);
  const rssBefore = peakRssMiB(worker!.pid);

  const admin: Viewer = {
    userId: env.admin.userId,
    partnerId: env.admin.partnerId,
    name: env.admin.displayName,
    email: env.admin.email,
    role: "ADMIN",
    customerScope: "all",
  };
  const created = await createHuntRun(admin, { query, timespan: "P30D", scope: "all" });
  if (!created.ok) throw new Error(`hunt not created: ${JSON.stringify(created)}`);
  const runId = created.value.id;
  log(`Hunt ${runId.slice(0, 8)} over ${created.value.customers} tenants, ${concurrency} at a time (one query alone: ${Math.round(single)} ms)…`);
  const deadline = Date.now() + 60 * 60_000;
  let run = await prisma.huntRun.findUniqueOrThrow({ where: { id: runId } });
  let lastLog = Date.now();
  while (run.status !== "finished") {
    if (Date.now() > deadline) throw new Error("the hunt did not finish within an hour");
    await sleep(250);
    run = await prisma.huntRun.findUniqueOrThrow({ where: { id: runId } });
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      const finished = await prisma.huntTenantRun.count({ where: { runId, status: { in: ["done", "failed", "skipped"] } } });
      log(`  ${finished}/${created.value.customers} tenants answered`);
    }
  }
  const peak = peakRssMiB(worker!.pid);
  await worker!.stop();
  const wallS = (run.finishedAt!.getTime() - run.startedAt!.getTime()) / 1000;
  const lowerBoundS = (Math.ceil(created.value.customers / concurrency) * single) / 1000;
  const counts = await prisma.huntTenantRun.groupBy({ by: ["status"], where: { runId }, _count: { _all: true } });
  const counters = await control.huntingCounters();
  const throttled = Object.values(counters.tenants).reduce((n, c) => n + (c.throttledRate ?? 0) + (c.throttledCpu ?? 0), 0);
  return {
    tenants: created.value.customers,
    concurrency,
    query,
    singleQueryMs: single,
    wallS,
    lowerBoundS,
    ratio: wallS / lowerBoundS,
    rowsKept: run.rowCount,
    rowCap: run.rowCap,
    truncated: run.truncated,
    done: counts.find((c) => c.status === "done")?._count._all ?? 0,
    failed: counts.find((c) => c.status === "failed")?._count._all ?? 0,
    throttled,
    workerRssBeforeMiB: rssBefore,
    peakWorkerRssMiB: peak,
  };
}

/**
 * What one tenant costs when nothing else runs: a token from Entra and the query at a tenant not asked before (the
 * simulator builds its tables on first use, as Microsoft's answer time grows with the data). The median of three.
 */
async function timeOneQuery(env: BenchEnvironment, query: string): Promise<number> {
  const { serverConfig } = await import("../../../lib/config/env.ts");
  const { TenantTokenClient } = await import("../../../lib/microsoft/token-client.ts");
  const { MicrosoftApiClient } = await import("../../../lib/microsoft/api-client.ts");
  const { runHuntingQuery } = await import("../../../lib/microsoft/hunting.ts");
  const cfg = serverConfig();
  const tokens = new TenantTokenClient({ authorityHost: cfg.authorityHost, clientId: cfg.clientId, credential: cfg.credential });
  const api = new MicrosoftApiClient({ tokens, baseUrl: cfg.apiBaseUrl });
  const samples: number[] = [];
  for (const c of env.customers.slice(-3)) {
    const t0 = performance.now();
    await runHuntingQuery(api, { tenantId: c.tenantId, region: null }, { query, timespan: "P30D" }, huntConfig());
    samples.push(performance.now() - t0);
  }
  await env.control.resetHuntingCounters();
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}
