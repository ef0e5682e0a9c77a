import type { PrismaClient } from "../../../lib/db/client.ts";
import type { ChaosEnv } from "./env.ts";
import type { FleetTenant } from "./fleet.ts";

/** Store vs the simulator's ground truth, for every rows kind. */
export interface RowAudit {
  lost: number;
  /** Two rows for one Microsoft id, or a row Microsoft does not have. */
  duplicated: number;
  /** Stored copy older (or newer) than Microsoft's. */
  stale: number;
}

export interface FleetAudit {
  incidents: RowAudit;
  alerts: RowAudit;
  completed: { ok: number; of: number };
  flagged: { ok: number; of: number };
  /** One line per miss, naming the tenant and what was wrong. */
  misses: string[];
}

interface TruthIncident {
  incidentId: number | string;
  lastUpdateTime: string;
  alerts: { alertId: string; lastUpdateTime: string }[];
}

type StoredRow = { sourceId: string; lastUpdateTime: Date };

export async function auditFleet(env: ChaosEnv, prisma: PrismaClient, fleet: FleetTenant[]): Promise<FleetAudit> {
  const audit: FleetAudit = { incidents: zero(), alerts: zero(), completed: { ok: 0, of: 0 }, flagged: { ok: 0, of: 0 }, misses: [] };
  for (const tenant of fleet) {
    if (tenant.expect.kind === "complete") await auditHealthy(env, prisma, tenant, audit);
    else await auditFlagged(prisma, tenant, audit);
  }
  return audit;
}

const zero = (): RowAudit => ({ lost: 0, duplicated: 0, stale: 0 });

async function auditHealthy(env: ChaosEnv, prisma: PrismaClient, tenant: FleetTenant, audit: FleetAudit) {
  const truth = ((await env.control.incidents(tenant.tenantId)) as { incidents: TruthIncident[] }).incidents;
  const where = { customerId: tenant.customerId };
  const select = { sourceId: true, lastUpdateTime: true } as const;
  const incidents = compareRows(new Map(truth.map((i) => [String(i.incidentId), i.lastUpdateTime])), await prisma.incident.findMany({ where, select }));
  const alerts = compareRows(
    new Map(truth.flatMap((i) => i.alerts.map((a) => [a.alertId, a.lastUpdateTime] as const))),
    await prisma.alert.findMany({ where, select }),
  );
  add(audit.incidents, incidents);
  add(audit.alerts, alerts);
  const rowProblems = describeRows("incidents", incidents) + describeRows("alerts", alerts);
  if (rowProblems) audit.misses.push(`${tenant.label}: ${rowProblems.trim()}`);

  audit.completed.of += 1;
  const problem = await completionProblem(prisma, tenant);
  if (problem) audit.misses.push(`${tenant.label}: ${problem}`);
  else audit.completed.ok += 1;
}

function compareRows(truth: Map<string, string>, stored: StoredRow[]): RowAudit {
  const r = zero();
  const seen = new Set<string>();
  for (const row of stored) {
    const expected = truth.get(row.sourceId);
    if (seen.has(row.sourceId) || expected === undefined) r.duplicated += 1;
    else if (new Date(expected).getTime() !== row.lastUpdateTime.getTime()) r.stale += 1;
    seen.add(row.sourceId);
  }
  for (const id of truth.keys()) if (!seen.has(id)) r.lost += 1;
  return r;
}

function add(total: RowAudit, r: RowAudit) {
  total.lost += r.lost;
  total.duplicated += r.duplicated;
  total.stale += r.stale;
}

function describeRows(kind: string, r: RowAudit): string {
  return r.lost + r.duplicated + r.stale ? ` ${kind} lost ${r.lost}, duplicated ${r.duplicated}, stale ${r.stale};` : "";
}

/** A healthy tenant is complete when it is still Consented and both feeds' last runs succeeded. */
async function completionProblem(prisma: PrismaClient, tenant: FleetTenant): Promise<string | null> {
  const customer = await prisma.customer.findUniqueOrThrow({ where: { id: tenant.customerId }, select: { status: true, statusReason: true } });
  if (customer.status !== "CONSENTED") return `wrongly flagged ${customer.status} (${customer.statusReason})`;
  const states = await prisma.syncState.findMany({ where: { customerId: tenant.customerId } });
  for (const feed of ["incidents", "alerts"]) {
    const s = states.find((x) => x.feed === feed);
    if (!s?.lastSuccessAt) return `${feed} never synced${s?.lastErrorCode ? ` (last error ${s.lastErrorCode})` : ""}`;
    if (s.running) return `${feed} still marked running`;
    if (s.lastErrorCode) return `${feed} last run failed: ${s.lastErrorCode}`;
  }
  return null;
}

async function auditFlagged(prisma: PrismaClient, tenant: FleetTenant, audit: FleetAudit) {
  if (tenant.expect.kind !== "flagged") return;
  audit.flagged.of += 1;
  const expect = tenant.expect;
  const customer = await prisma.customer.findUniqueOrThrow({ where: { id: tenant.customerId }, select: { status: true, statusReason: true } });
  const codes = (await prisma.syncState.findMany({ where: { customerId: tenant.customerId }, select: { lastErrorCode: true } })).map((s) => s.lastErrorCode);
  const problems: string[] = [];
  if (customer.status !== expect.status) problems.push(`status ${customer.status}, expected ${expect.status}`);
  if (!codes.some((c) => c && expect.codes.includes(c))) problems.push(`lastErrorCode ${codes.join("/") || "none"}, expected one of ${expect.codes.join("/")}`);
  if (!expect.reason.test(customer.statusReason ?? "")) problems.push(`reason "${customer.statusReason}" does not say ${expect.reason}`);
  if (problems.length) audit.misses.push(`${tenant.label}: ${problems.join("; ")}`);
  else audit.flagged.ok += 1;
}
