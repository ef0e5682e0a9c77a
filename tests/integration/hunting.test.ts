import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { SimulatorHandle } from "../../simulator/server.ts";
import { startSimulatedBackend } from "../support/backend.ts";
import type { createMigratedDatabase } from "../support/db.ts";
import { SimControl, uniqueTenantName } from "../support/sim-control.ts";
import type { PrismaClient } from "../../lib/db/client.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";
import type { HuntConfig } from "../../lib/config/hunting.ts";

/**
 * Cross-tenant hunting against a real PostgreSQL and the simulator's Graph runHuntingQuery: a run over customers that
 * answer, one that never granted hunting, one whose grant Microsoft no longer honours, one out of CPU quota; a query
 * Microsoft rejects; the row cap; a crashed run asked again; analyst scope at run time and on read; retry of failed
 * customers; retention; formula-safe export.
 */
const clientId = randomUUID();
const clientSecret = randomBytes(24).toString("base64url");
let sim: SimulatorHandle;
let control: SimControl;
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
let partnerId: string;
let admin: Viewer;
let mods: {
  tokens: typeof import("../../lib/microsoft/token-client.ts");
  api: typeof import("../../lib/microsoft/api-client.ts");
  hunting: typeof import("../../lib/data/hunting.ts");
  runner: typeof import("../../lib/hunting/run.ts");
  retention: typeof import("../../lib/data/retention.ts");
};
let api: InstanceType<typeof mods.api.MicrosoftApiClient>;

const GRAPH = "https://graph.microsoft.com";
const HUNTING_ROLE = `${GRAPH}/ThreatHunting.Read.All`;
const cfg: HuntConfig = { maxRows: 100_000, concurrency: 4, retentionDays: 7, callsPerMinute: 45, queryTimeoutMs: 10_000, maxRetryAfterMs: 2_000 };

before(async () => {
  ({ database, sim, control, prisma, partnerId } = await startSimulatedBackend({
    label: "hunting",
    clientId,
    clientSecret,
    defender: { incidentsPerTenant: 4, quotas: true },
  }));
  mods = {
    tokens: await import("../../lib/microsoft/token-client.ts"),
    api: await import("../../lib/microsoft/api-client.ts"),
    hunting: await import("../../lib/data/hunting.ts"),
    runner: await import("../../lib/hunting/run.ts"),
    retention: await import("../../lib/data/retention.ts"),
  };
  const tokens = new mods.tokens.TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: clientSecret } });
  api = new mods.api.MicrosoftApiClient({ tokens, baseUrl: sim.url, timeoutMs: 10_000, maxAttempts: 2, maxRetryAfterMs: cfg.maxRetryAfterMs });
  admin = await user("ADMIN", "admin@partner.test");
});
after(async () => {
  await prisma?.$disconnect();
  await sim?.close();
  await database?.drop();
});

async function user(role: "ADMIN" | "ANALYST", email: string, customers: string[] = []): Promise<Viewer> {
  const id = randomUUID();
  await prisma.portalUser.create({ data: { id, partnerId, entraObjectId: randomUUID(), email, displayName: email, role, roleSource: "entra-app-role" } });
  for (const customerId of customers) await prisma.analystAssignment.create({ data: { userId: id, customerId } });
  return { userId: id, partnerId, name: email, email, role, customerScope: role === "ADMIN" ? "all" : customers };
}

/** A consented customer; `granted` = hunting granted at Microsoft, `recorded` = the portal's record says so. */
async function customer(label: string, opts: { granted: boolean; recorded: boolean }) {
  const t = await control.createTenant(uniqueTenantName(label));
  await control.grantConsent(t.id, { [GRAPH]: ["SecurityIncident.Read.All", "SecurityAlert.Read.All", ...(opts.granted ? ["ThreatHunting.Read.All"] : [])] });
  const id = randomUUID();
  await prisma.customer.create({
    data: { id, partnerId, displayName: t.displayName, region: "eu", tenantId: t.id, status: "CONSENTED", grantedRoles: opts.recorded ? [HUNTING_ROLE] : [] },
  });
  return { id, tenantId: t.id, displayName: t.displayName };
}

async function startRun(viewer: Viewer, fields: Record<string, unknown>) {
  const r = await mods.hunting.createHuntRun(viewer, { timespan: "P30D", scope: "all", ...fields });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value.id;
}

const run = (id: string, over: Partial<HuntConfig> = {}) => mods.runner.runHunt({ prisma, api, cfg: { ...cfg, ...over } }, id);

type Row = Record<string, unknown>;
async function groundTruth(tenantId: string, table: string): Promise<Row[]> {
  return (await control.huntingTable(tenantId, table)).rows;
}

let alpha: Awaited<ReturnType<typeof customer>>;
let bravo: Awaited<ReturnType<typeof customer>>;
let notGranted: Awaited<ReturnType<typeof customer>>;
let revoked: Awaited<ReturnType<typeof customer>>;
let throttled: Awaited<ReturnType<typeof customer>>;

test("a hunt over five customers: rows of those that answer, and each other customer's reason in words", async () => {
  alpha = await customer("Hunt Alpha", { granted: true, recorded: true });
  bravo = await customer("Hunt Bravo", { granted: true, recorded: true });
  notGranted = await customer("Hunt NotGranted", { granted: false, recorded: false });
  revoked = await customer("Hunt Revoked", { granted: false, recorded: true });
  throttled = await customer("Hunt Throttled", { granted: true, recorded: true });
  // Out of CPU quota for this 15-minute cycle: Microsoft answers 429 with a Retry-After far beyond what a run waits.
  await control.setHunting(throttled.tenantId, { cpuBudgetMsPer15Min: 0 });
  const id = await startRun(admin, { query: "DeviceInfo | project Timestamp, DeviceName, OSPlatform" });
  const result = await run(id);
  assert.deepEqual({ ...result, rows: undefined }, { done: 2, failed: 2, skipped: 1, rows: undefined, truncated: false });

  const detail = (await mods.hunting.getHuntRun(admin, id))!;
  const by = new Map(detail.tenants.map((t) => [t.customerId, t]));
  assert.equal(by.get(notGranted.id)!.status, "skipped");
  assert.equal(by.get(notGranted.id)!.reason, "not_granted");
  assert.match(by.get(notGranted.id)!.message!, /ThreatHunting\.Read\.All/);
  assert.equal(by.get(revoked.id)!.reason, "not_granted", "Microsoft's 403 is reported as not granted");
  assert.match(by.get(revoked.id)!.message!, /Microsoft said/);
  assert.equal(by.get(throttled.id)!.reason, "throttled");
  assert.match(by.get(throttled.id)!.message!, /quota/i);
  // The customer that was never granted was not asked at all; the others once each.
  const counters = (await control.huntingCounters()).tenants;
  assert.equal(counters[notGranted.tenantId]?.calls ?? 0, 0);
  for (const c of [alpha, bravo]) assert.equal(counters[c.tenantId]?.calls, 1, c.displayName);

  // The rows are Microsoft's, per customer, with the schema's columns (ground truth from the simulator's own table).
  for (const c of [alpha, bravo]) {
    const truth = (await groundTruth(c.tenantId, "DeviceInfo")).map((r) => `${r.Timestamp}|${r.DeviceName}|${r.OSPlatform}`).sort();
    const kept = await prisma.huntResultRow.findMany({ where: { runId: id, customerId: c.id }, orderBy: { seq: "asc" } });
    assert.ok(kept.length > 0);
    assert.equal(by.get(c.id)!.rowCount, kept.length);
    const keptKeys = kept
      .map((r) => r.data as Row)
      .map((r) => `${r.Timestamp}|${r.DeviceName}|${r.OSPlatform}`)
      .sort();
    // P30D: the rows of the last 30 days, every one of them in the table.
    for (const k of keptKeys) assert.ok(truth.includes(k), `row ${k} is one of the tenant's DeviceInfo rows`);
  }
  assert.deepEqual(
    detail.columns.map((c) => c.name),
    ["Timestamp", "DeviceName", "OSPlatform"],
  );
  assert.match(detail.columns[0]!.type, /date/i);
  const page = await mods.hunting.huntResultsPage(admin, detail, { page: 1, sort: null, dir: "asc" });
  assert.equal(page.total, detail.rowsKept);
  assert.ok(page.rows.every((r) => r.customerId === alpha.id || r.customerId === bravo.id));
  // Sorted by a column on the server: DeviceName descending over both customers.
  const sorted = await mods.hunting.huntResultsPage(admin, detail, { page: 1, sort: "DeviceName", dir: "desc" });
  const names = sorted.rows.map((r) => String(r.data.DeviceName));
  assert.deepEqual(names, [...names].sort().reverse());
  const audit = await prisma.auditEntry.findMany({ where: { action: { in: ["hunt.started", "hunt.finished"] } } });
  assert.deepEqual(audit.map((a) => a.action).sort(), ["hunt.finished", "hunt.started"]);

  // Ask the failed ones again once the quota is back: only those two are asked, the throttled one now answers.
  await control.setHunting(throttled.tenantId, { cpuBudgetMsPer15Min: null });
  await control.resetHuntingQuotas(throttled.tenantId);
  const retried = await mods.hunting.retryHuntCustomers(admin, id);
  assert.ok(retried.ok, JSON.stringify(retried));
  const second = await run(id);
  assert.equal(second!.done, 3);
  assert.equal(second!.failed, 1);
  const alphaRows = await prisma.huntResultRow.count({ where: { runId: id, customerId: alpha.id } });
  assert.equal(alphaRows, by.get(alpha.id)!.rowCount, "a customer that answered is not asked again");
});

test("a query Microsoft rejects shows Microsoft's message for each customer, and keeps nothing", async () => {
  const id = await startRun(admin, { query: "DeviceInfo\n| join (DeviceProcessEvents) on DeviceId", scope: "pick", customers: [alpha.id, bravo.id] });
  const r = await run(id);
  assert.equal(r!.failed, 2);
  const tenants = await prisma.huntTenantRun.findMany({ where: { runId: id } });
  for (const t of tenants) {
    assert.equal(t.reason, "query_error");
    assert.match(t.message!, /^Microsoft rejected the query: .*join/);
  }
  assert.equal(await prisma.huntResultRow.count({ where: { runId: id } }), 0);
});

test("the run's row cap cuts and says where; a crashed run is asked again without duplicates", async () => {
  const id = await startRun(admin, { query: "DeviceProcessEvents | project Timestamp, DeviceName, FileName", scope: "pick", customers: [alpha.id, bravo.id] });
  await prisma.huntRun.update({ where: { id }, data: { rowCap: 25 } });
  const r = await run(id);
  assert.equal(r!.rows, 25);
  assert.equal(r!.truncated, true);
  const detail = (await mods.hunting.getHuntRun(admin, id))!;
  assert.equal(detail.rowsKept, 25);
  assert.ok(detail.rowsCut > 0);
  assert.ok(detail.tenants.some((t) => /left out/.test(t.message ?? "")));

  // A worker died while asking alpha: the run is sent again, alpha asked again, its rows replaced, not doubled.
  const id2 = await startRun(admin, { query: "DeviceInfo | take 7", scope: "pick", customers: [alpha.id] });
  await run(id2);
  await prisma.huntTenantRun.updateMany({ where: { runId: id2 }, data: { status: "running" } });
  await prisma.huntRun.update({ where: { id: id2 }, data: { status: "running" } });
  await run(id2);
  assert.equal(await prisma.huntResultRow.count({ where: { runId: id2 } }), 7);
});

test("an analyst hunts only in their customers; rows of a customer no longer theirs are not shown or exported", async () => {
  const analyst = await user("ANALYST", "analyst@partner.test", [alpha.id, bravo.id]);
  const refused = await mods.hunting.createHuntRun(analyst, { query: "DeviceInfo", timespan: "P7D", scope: "pick", customers: [throttled.id] });
  assert.equal(refused.ok, false);
  const id = await startRun(analyst, { query: "DeviceInfo | take 3" });
  assert.equal(await prisma.huntTenantRun.count({ where: { runId: id } }), 2, "'all my customers' is the analyst's two");
  // Bravo is taken away before the worker runs: it is skipped, not asked.
  await prisma.analystAssignment.deleteMany({ where: { userId: analyst.userId, customerId: bravo.id } });
  const r = await run(id);
  assert.equal(r!.skipped, 1);
  assert.equal((await prisma.huntTenantRun.findFirstOrThrow({ where: { runId: id, customerId: bravo.id } })).reason, "out_of_scope");

  // A run made while both were theirs: after Bravo goes, its rows vanish from the page and the export.
  await prisma.analystAssignment.create({ data: { userId: analyst.userId, customerId: bravo.id } });
  const id2 = await startRun(analyst, { query: "DeviceInfo | take 3" });
  await run(id2);
  await prisma.analystAssignment.deleteMany({ where: { userId: analyst.userId, customerId: bravo.id } });
  const narrowed: Viewer = { ...analyst, customerScope: [alpha.id] };
  const detail = (await mods.hunting.getHuntRun(narrowed, id2))!;
  assert.deepEqual(
    detail.tenants.map((t) => t.customerId),
    [alpha.id],
  );
  const page = await mods.hunting.huntResultsPage(narrowed, detail, { page: 1, sort: null, dir: "asc" });
  assert.ok(page.rows.length > 0 && page.rows.every((row) => row.customerId === alpha.id));
  const file = await mods.hunting.exportHuntResults(narrowed, id2, "csv");
  assert.ok(file && !file.expired);
  let csv = "";
  for await (const chunk of file.chunks) csv += chunk;
  assert.ok(csv.includes(alpha.displayName) && !csv.includes(bravo.displayName));
  // Another user's run is not found, for reading or retrying.
  assert.equal(await mods.hunting.getHuntRun(admin, id2), null);
  assert.equal((await mods.hunting.retryHuntCustomers(admin, id2)).ok, false);
});

test("exports are formula-safe and JSON; expired results are purged and the history stays", async () => {
  const id = await startRun(admin, { query: "DeviceInfo | take 1", scope: "pick", customers: [alpha.id] });
  await run(id);
  // A hostile value as Microsoft could return it (tenant data is the customer's).
  await prisma.huntResultRow.updateMany({
    where: { runId: id },
    data: { data: { Timestamp: "2026-11-30T10:00:00Z", DeviceName: '=cmd|" /C calc"!A0', OSPlatform: "@SUM(1)" } },
  });
  const csvFile = await mods.hunting.exportHuntResults(admin, id, "csv");
  assert.ok(csvFile && !csvFile.expired);
  let csv = "";
  for await (const chunk of csvFile.chunks) csv += chunk;
  assert.match(csv, /"'=cmd\|"" \/C calc""!A0"/);
  assert.match(csv, /"'@SUM\(1\)"/);
  const jsonFile = await mods.hunting.exportHuntResults(admin, id, "json");
  assert.ok(jsonFile && !jsonFile.expired);
  let text = "";
  for await (const chunk of jsonFile.chunks) text += chunk;
  const parsed = JSON.parse(text) as { rows: Row[]; columns: { name: string }[] };
  assert.equal(parsed.rows[0]!.Customer, alpha.displayName);
  assert.equal(parsed.rows[0]!.DeviceName, '=cmd|" /C calc"!A0');
  assert.equal(parsed.columns[0]!.name, "Customer");

  await prisma.huntRun.update({ where: { id }, data: { resultsExpireAt: new Date(Date.now() - 1000) } });
  const purged = await mods.retention.purgeExpiredRecords(prisma, { retentionDays: 400 });
  assert.ok(purged.huntResultRows >= 1);
  assert.equal(await prisma.huntResultRow.count({ where: { runId: id } }), 0);
  const detail = (await mods.hunting.getHuntRun(admin, id))!;
  assert.equal(detail.expired, true);
  const history = await mods.hunting.listHuntHistory(admin);
  assert.ok(history.some((h) => h.id === id));
  const gone = await mods.hunting.exportHuntResults(admin, id, "csv");
  assert.deepEqual(gone, { expired: true });
});

test("every starter hunt runs against Microsoft's documented tables without an error", async () => {
  const { STARTER_HUNTS } = await import("../../lib/hunting/library.ts");
  const { runHuntingQuery } = await import("../../lib/microsoft/hunting.ts");
  const found: Record<string, number> = {};
  for (const h of STARTER_HUNTS) {
    let rows = 0;
    for (const c of [alpha, bravo]) {
      const answer = await runHuntingQuery(api, { tenantId: c.tenantId, region: "eu" }, { query: h.query, timespan: "P30D" }, cfg);
      assert.ok(answer.columns.length > 0, `${h.key}: has columns`);
      rows += answer.rows.length;
    }
    found[h.key] = rows;
  }
  // The simulator plants what these hunts look for (tenants differ): most of them find something in two tenants.
  assert.ok(Object.values(found).filter((n) => n > 0).length >= 7, JSON.stringify(found));
});

test("saved queries: personal or shared; only the owner (or an admin, for a shared one) changes them", async () => {
  const analyst = await user("ANALYST", "saver@partner.test", [alpha.id]);
  const other = await user("ANALYST", "other@partner.test", [alpha.id]);
  const mine = await mods.hunting.saveHuntQuery(analyst, { name: "Mine", query: "DeviceInfo", shared: "" });
  const shared = await mods.hunting.saveHuntQuery(analyst, { name: "Team", query: "AlertInfo", shared: "on" });
  assert.ok(mine.ok && shared.ok);
  const seen = await mods.hunting.listHuntQueries(other);
  assert.deepEqual(
    seen.map((q) => q.name),
    ["Team"],
  );
  assert.equal(seen[0]!.canEdit, false);
  await assert.rejects(() => mods.hunting.deleteHuntQuery(other, shared.value.id), /owner|admin/i);
  assert.equal((await mods.hunting.deleteHuntQuery(other, mine.value.id)).ok, false, "another's personal query is not even found");
  const renamed = await mods.hunting.saveHuntQuery(admin, { name: "Team (admin)", query: "AlertInfo | take 1", shared: "on" }, shared.value.id);
  assert.ok(renamed.ok, JSON.stringify(renamed));
  const dup = await mods.hunting.saveHuntQuery(analyst, { name: "Mine", query: "DeviceInfo | take 2" });
  assert.equal(dup.ok, false);
});

test("a tenant without Defender XDR is told apart from one that did not grant hunting", async () => {
  const t = await control.createTenant({ ...uniqueTenantName("Hunt NoLicence"), defenderLicence: false });
  await control.grantConsent(t.id, { [GRAPH]: ["SecurityIncident.Read.All", "ThreatHunting.Read.All"] });
  const id = randomUUID();
  await prisma.customer.create({
    data: { id, partnerId, displayName: t.displayName, region: "eu", tenantId: t.id, status: "CONSENTED", grantedRoles: [HUNTING_ROLE] },
  });
  const runId = await startRun(admin, { query: "DeviceInfo | take 1", scope: "pick", customers: [id] });
  await run(runId);
  const tenant = await prisma.huntTenantRun.findFirstOrThrow({ where: { runId } });
  assert.equal(tenant.reason, "not_licensed", tenant.message ?? "");
  assert.match(tenant.message!, /not onboarded to Microsoft Defender XDR/);
});
