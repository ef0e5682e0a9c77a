import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { SimulatorHandle } from "../../simulator/server.ts";
import { startSimulatedBackend } from "../support/backend.ts";
import type { createMigratedDatabase } from "../support/db.ts";
import { SimControl, uniqueTenantName } from "../support/sim-control.ts";
import type { PrismaClient } from "../../lib/db/client.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";

/**
 * SLA clocks against a real PostgreSQL and the simulator: the sync's observed changes and acknowledgement, deadlines
 * stored by the upsert and recomputed after a policy change (strictest of several groups), the queue's breached
 * filter, report figures on known data, the scoped report and PDF, and the idempotent breach scanner.
 */
const clientId = randomUUID();
const clientSecret = randomBytes(24).toString("base64url");
let sim: SimulatorHandle;
let control: SimControl;
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
let partnerId: string;
let admin: Viewer;
let m: {
  run: typeof import("../../lib/sync/run.ts");
  tokens: typeof import("../../lib/microsoft/token-client.ts");
  api: typeof import("../../lib/microsoft/api-client.ts");
  clocks: typeof import("../../lib/sla/clocks.ts");
  jobs: typeof import("../../lib/sync/sla-jobs.ts");
  sla: typeof import("../../lib/data/sla.ts");
  incidents: typeof import("../../lib/data/incidents.ts");
  filters: typeof import("../../lib/data/filters.ts");
  reports: typeof import("../../lib/data/reports.ts");
  report: typeof import("../../lib/reports/customer-report.ts");
  csv: typeof import("../../lib/reports/report-csv.ts");
  html: typeof import("../../lib/reports/report-html.ts");
  users: typeof import("../../lib/data/users.ts");
};

before(async () => {
  ({ database, sim, control, prisma, partnerId } = await startSimulatedBackend({
    label: "sla",
    clientId,
    clientSecret,
    defender: { incidentsPerTenant: 12, quotas: false },
  }));
  m = {
    run: await import("../../lib/sync/run.ts"),
    tokens: await import("../../lib/microsoft/token-client.ts"),
    api: await import("../../lib/microsoft/api-client.ts"),
    clocks: await import("../../lib/sla/clocks.ts"),
    jobs: await import("../../lib/sync/sla-jobs.ts"),
    sla: await import("../../lib/data/sla.ts"),
    incidents: await import("../../lib/data/incidents.ts"),
    filters: await import("../../lib/data/filters.ts"),
    reports: await import("../../lib/data/reports.ts"),
    report: await import("../../lib/reports/customer-report.ts"),
    csv: await import("../../lib/reports/report-csv.ts"),
    html: await import("../../lib/reports/report-html.ts"),
    users: await import("../../lib/data/users.ts"),
  };
  const user = await prisma.portalUser.create({
    data: { id: randomUUID(), partnerId, entraObjectId: randomUUID(), email: "sla-admin@test", displayName: "SLA Admin", role: "ADMIN", roleSource: "portal" },
  });
  admin = { userId: user.id, partnerId, name: user.displayName, email: user.email, role: "ADMIN", customerScope: "all" };
});
after(async () => {
  await prisma?.$disconnect();
  await sim?.close();
  await database?.drop();
});

function deps() {
  const tokens = new m.tokens.TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: clientSecret } });
  const api = new m.api.MicrosoftApiClient({ tokens, baseUrl: sim.url, sleep: async () => {}, timeoutMs: 5_000 });
  return { prisma, tokens, api, source: "graph" as const, intervalMinutes: 5 };
}

async function consentedCustomer(label: string) {
  const t = await control.createTenant(uniqueTenantName(label));
  await control.grantConsent(t.id);
  const id = randomUUID();
  await prisma.customer.create({ data: { id, partnerId, displayName: t.displayName, region: "eu", tenantId: t.id, status: "CONSENTED" } });
  return { id, tenantId: t.id };
}

async function plainCustomer(label: string) {
  const id = randomUUID();
  await prisma.customer.create({ data: { id, partnerId, displayName: `${label} ${id.slice(0, 8)}`, region: "eu", status: "CONSENTED" } });
  return id;
}

const MIN = 60_000;
let seq = 0;
async function incident(
  customerId: string,
  f: { created: Date; severity?: string; status?: string; ackAfter?: number; resolveAfter?: number; title?: string; classification?: string },
) {
  const id = randomUUID();
  seq += 1;
  await prisma.incident.create({
    data: {
      id,
      customerId,
      source: "graph",
      sourceId: `t${seq}`,
      title: f.title ?? `Incident ${seq}`,
      severity: f.severity ?? "medium",
      status: f.resolveAfter !== undefined ? "resolved" : (f.status ?? "active"),
      classification: f.classification ?? null,
      createdTime: f.created,
      lastUpdateTime: f.created,
      payload: {},
      syncedAt: f.created,
      acknowledgedAt: f.ackAfter !== undefined ? new Date(f.created.getTime() + f.ackAfter * MIN) : null,
      resolvedAt: f.resolveAfter !== undefined ? new Date(f.created.getTime() + f.resolveAfter * MIN) : null,
    },
  });
  await m.clocks.applySlaClocks(prisma, [id]);
  return id;
}

describe("SLA clocks", () => {
  test("the sync records observed changes and acknowledgement, and stores deadlines with the upsert", async () => {
    const c = await consentedCustomer("Changes");
    const first = await m.run.runFeedSync(deps(), c.id, "incidents");
    assert.ok(first.ok, JSON.stringify(first.error));
    const stored = await prisma.incident.findMany({
      where: { customerId: c.id },
      select: { id: true, slaAckDueAt: true, slaResolveDueAt: true, createdTime: true, severity: true },
    });
    assert.ok(stored.length > 0);
    for (const i of stored) {
      assert.ok(i.slaAckDueAt && i.slaResolveDueAt, "every stored incident has deadlines");
      const expected = (await import("../../lib/sla/policy.ts")).dueTimes(i.createdTime, i.severity, []);
      assert.equal(i.slaAckDueAt.getTime(), expected.ackDueAt.getTime());
    }
    assert.equal(await prisma.incidentChange.count({ where: { customerId: c.id, field: "created" } }), stored.length);

    // Between two syncs the simulator assigns and moves some incidents (as an analyst in Microsoft's portal would).
    const unacked = await prisma.incident.findMany({ where: { customerId: c.id, acknowledgedAt: null }, select: { sourceId: true } });
    const tick = (await control.tick(c.tenantId, { create: 0, update: 3 })) as { updated: number[] };
    const second = await m.run.runFeedSync(deps(), c.id, "incidents");
    assert.ok(second.ok, JSON.stringify(second.error));
    const updated = await prisma.incident.findMany({
      where: { customerId: c.id, sourceId: { in: tick.updated.map(String) } },
      select: { id: true, sourceId: true, acknowledgedAt: true, resolvedAt: true, status: true, slaNextDueAt: true, slaAckDueAt: true, slaResolveDueAt: true },
    });
    assert.equal(updated.length, tick.updated.length);
    for (const i of updated) {
      assert.ok(i.acknowledgedAt, `incident ${i.sourceId} acknowledged after the change`);
      const changes = await prisma.incidentChange.findMany({ where: { incidentId: i.id, field: { not: "created" } } });
      if (unacked.some((u) => u.sourceId === i.sourceId)) {
        assert.ok(changes.length > 0, "the change was recorded");
        assert.ok(changes.every((ch) => ch.origin === "microsoft" && ch.actor === null));
      }
      if (i.status === "resolved") assert.ok(i.resolvedAt);
      // The next running deadline follows acknowledgement: only the resolve clock is left.
      assert.equal(i.slaNextDueAt?.getTime() ?? null, i.resolvedAt ? null : i.slaResolveDueAt!.getTime());
    }
  });

  test("a policy change recomputes open incidents; a customer in two groups gets the strictest deadline of each", async () => {
    const customerId = await plainCustomer("Policies");
    const created = new Date("2026-01-10T10:00:00Z"); // a Saturday
    const open = await incident(customerId, { created, severity: "high" });
    const done = await incident(customerId, { created, severity: "high", ackAfter: 5, resolveAfter: 60 });
    const before = await prisma.incident.findUniqueOrThrow({ where: { id: open }, select: { slaAckDueAt: true } });
    assert.equal(before.slaAckDueAt?.toISOString(), "2026-01-10T10:15:00.000Z", "built-in default: high 15 min");

    const [gold, office] = await Promise.all(
      ["Gold 24x7", "Office hours"].map((name) => prisma.customerGroup.create({ data: { partnerId, name: `${name} ${randomUUID().slice(0, 6)}` } })),
    );
    await prisma.customerGroupMember.createMany({ data: [gold!, office!].map((g) => ({ groupId: g.id, customerId })) });
    const targets = (high: { ackMinutes: number; resolveMinutes: number }) => ({
      high,
      medium: { ackMinutes: 60, resolveMinutes: 1440 },
      low: { ackMinutes: 240, resolveMinutes: 4320 },
      informational: { ackMinutes: 1440, resolveMinutes: 10080 },
    });
    let r = await m.sla.saveSlaPolicy(admin, gold!.id, { targets: targets({ ackMinutes: 60, resolveMinutes: 480 }), calendar: null });
    assert.ok(r.ok, JSON.stringify(r));
    r = await m.sla.saveSlaPolicy(admin, office!.id, {
      targets: targets({ ackMinutes: 15, resolveMinutes: 120 }),
      calendar: { days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00", timeZone: "Europe/Berlin" },
    });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(await prisma.auditEntry.count({ where: { action: "sla.policy_saved" } }), 2);
    assert.ok((await prisma.customer.findUniqueOrThrow({ where: { id: customerId } })).slaStaleSince, "marked for a recompute");

    const tick = await m.jobs.runSlaTick(prisma, new Date());
    assert.ok(tick.incidents >= 1);
    const after = await prisma.incident.findUniqueOrThrow({ where: { id: open }, select: { slaAckDueAt: true, slaResolveDueAt: true } });
    // Saturday: the 24x7 gold policy is earlier than the office policy (which waits for Monday).
    assert.equal(after.slaAckDueAt?.toISOString(), "2026-01-10T11:00:00.000Z");
    assert.equal(after.slaResolveDueAt?.toISOString(), "2026-01-10T18:00:00.000Z");
    const resolved = await prisma.incident.findUniqueOrThrow({ where: { id: done }, select: { slaAckDueAt: true } });
    assert.equal(resolved.slaAckDueAt?.toISOString(), "2026-01-10T10:15:00.000Z", "a resolved incident keeps the deadline it was measured against");
    assert.equal((await prisma.customer.findUniqueOrThrow({ where: { id: customerId } })).slaStaleSince, null);

    // A weekday incident: the office policy is stricter by day.
    const tuesday = await incident(customerId, { created: new Date("2026-01-13T09:00:00Z"), severity: "high" });
    const t = await prisma.incident.findUniqueOrThrow({ where: { id: tuesday }, select: { slaAckDueAt: true, slaResolveDueAt: true } });
    assert.equal(t.slaAckDueAt?.toISOString(), "2026-01-13T09:15:00.000Z");
    assert.equal(t.slaResolveDueAt?.toISOString(), "2026-01-13T11:00:00.000Z");

    // An invalid policy is refused with field errors and changes nothing.
    const bad = await m.sla.saveSlaPolicy(admin, "default", { targets: targets({ ackMinutes: 0, resolveMinutes: 5 }), calendar: null });
    assert.equal(bad.ok, false);
    const analyst: Viewer = { ...admin, role: "ANALYST", customerScope: [customerId] };
    await assert.rejects(m.sla.saveSlaPolicy(analyst, "default", { targets: targets({ ackMinutes: 5, resolveMinutes: 5 }), calendar: null }), /access/i);
  });

  test("the queue's breached and breaching filters match the stored deadlines; sort by time left", async () => {
    const customerId = await plainCustomer("Queue");
    const now = Date.now();
    const breached = await incident(customerId, { created: new Date(now - 30 * MIN), severity: "high" }); // ack due 15 min ago
    const breaching = await incident(customerId, { created: new Date(now - 10 * MIN), severity: "medium" }); // ack due in 50 min
    const fine = await incident(customerId, { created: new Date(now - 10 * MIN), severity: "low" }); // ack due in 3 h 50
    const met = await incident(customerId, { created: new Date(now - 30 * MIN), severity: "high", ackAfter: 5, resolveAfter: 20 });
    const list = async (q: Record<string, string>) =>
      (await m.incidents.listIncidents(admin, m.filters.parseFilters(m.filters.incidentFilters, { customer: customerId, range: "all", ...q }))).rows.map(
        (r) => r.id,
      );
    assert.deepEqual(await list({ sla: "breached" }), [breached]);
    assert.deepEqual(await list({ sla: "breaching" }), [breaching]);
    assert.deepEqual(await list({ sort: "slaNextDueAt", dir: "asc" }), [breached, breaching, fine, met], "least time left first, met last");
  });

  test("report figures on known data: counts, MTTA/MTTR percentiles, SLA attainment, titles, trend; scoped; hostile text inert", async () => {
    const customerId = await plainCustomer("Report");
    const day = (d: number, h = 10) => new Date(Date.UTC(2026, 5, d, h)); // June 2026
    const ids = [
      await incident(customerId, { created: day(1), severity: "medium", ackAfter: 10, resolveAfter: 60, classification: "truePositive" }),
      await incident(customerId, { created: day(1), severity: "high", ackAfter: 20, resolveAfter: 120, classification: "falsePositive" }),
      await incident(customerId, { created: day(2), severity: "medium", ackAfter: 30, resolveAfter: 180 }),
      await incident(customerId, { created: day(15), severity: "medium", ackAfter: 40, resolveAfter: 240 }),
      await incident(customerId, { created: day(30, 23), severity: "low", ackAfter: 50 }),
    ];
    await incident(customerId, { created: new Date(Date.UTC(2026, 6, 1, 0)), severity: "high" }); // July: outside
    const hostile = `=HYPERLINK("http://evil")<script>alert(1)</script>`;
    const titles = ["Suspicious PowerShell", "Suspicious PowerShell", "Suspicious PowerShell", hostile];
    await prisma.alert.createMany({
      data: titles.map((title, n) => ({
        id: randomUUID(),
        customerId,
        incidentId: ids[n]!,
        source: "graph",
        sourceId: `a-${randomUUID()}`,
        title,
        severity: "medium",
        status: "new",
        createdTime: day(1),
        lastUpdateTime: day(1),
        payload: {},
        syncedAt: day(1),
      })),
    });
    const range = { from: "2026-06-01", to: "2026-06-30" };
    const r = (await m.reports.getCustomerReport(admin, customerId, range))!;
    assert.ok(r);
    assert.equal(r.total, 5);
    assert.deepEqual(r.bySeverity, [
      { key: "medium", count: 3 },
      { key: "high", count: 1 },
      { key: "low", count: 1 },
    ]);
    assert.deepEqual(
      r.byClassification.find((c) => c.key === "unknown"),
      { key: "unknown", count: 3 },
    );
    // percentile_cont: [10,20,30,40,50] → p50 30, p90 46; [60,120,180,240] → p50 150, p90 222.
    assert.deepEqual(r.mtta, { p50: 30, p90: 46, n: 5 });
    assert.deepEqual(r.mttr, { p50: 150, p90: 222, n: 4 });
    // Ack: the high one (20 min > 15) missed. Resolve: the low one's 72 h passed unresolved.
    assert.deepEqual(r.sla, { ack: { met: 4, decided: 5 }, resolve: { met: 4, decided: 5 } });
    assert.deepEqual(r.topAlertTitles[0], { title: "Suspicious PowerShell", count: 3 });
    assert.equal(r.trend.length, 30);
    assert.deepEqual(r.trend[0], { day: "2026-06-01", created: 2, resolved: 2 });
    assert.equal(r.trend[29]!.created, 1);

    const csv = m.csv.reportCsv(r);
    assert.ok(csv.includes(`"'=HYPERLINK(""http://evil"")<script>alert(1)</script>"`), "the formula is neutralised in CSV");
    const html = m.html.reportHtml(r);
    assert.ok(!html.includes("<script>alert(1)"), "the title is inert in the PDF's HTML");
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));

    // Analysts: their customers only — a direct assignment or a group's.
    const user = await prisma.portalUser.create({
      data: {
        id: randomUUID(),
        partnerId,
        entraObjectId: randomUUID(),
        email: "grp@test",
        displayName: "Group Analyst",
        role: "ANALYST",
        roleSource: "portal",
      },
    });
    const group = await prisma.customerGroup.create({ data: { partnerId, name: `Report group ${randomUUID().slice(0, 6)}` } });
    await prisma.customerGroupMember.create({ data: { groupId: group.id, customerId } });
    await prisma.analystGroupAssignment.create({ data: { userId: user.id, groupId: group.id } });
    const scope = await m.users.loadAssignedCustomerIds(user.id);
    const analyst: Viewer = { userId: user.id, partnerId, name: user.displayName, email: user.email, role: "ANALYST", customerScope: scope };
    assert.ok(await m.reports.getCustomerReport(analyst, customerId, range), "the group's analyst sees the report");
    const other = await plainCustomer("Other");
    assert.equal(await m.reports.getCustomerReport(analyst, other, range), null);
    assert.equal(await m.reports.customerReportCsv(analyst, other, range), null);
    assert.equal(await m.reports.customerReportPdf(analyst, other, range), null);

    const pdf = await m.reports.customerReportPdf(analyst, customerId, range);
    assert.ok(pdf);
    assert.equal(pdf.pdf.subarray(0, 5).toString("latin1"), "%PDF-");
  });

  test("recipients are validated and audited; monthlyReportsDue lists customers with recipients and last month", async () => {
    const customerId = await plainCustomer("Recipients");
    const bad = await m.sla.setReportRecipients(admin, customerId, { recipients: "ok@example.com, not-an-address" });
    assert.equal(bad.ok, false);
    assert.match(JSON.stringify(bad), /not-an-address/);
    const good = await m.sla.setReportRecipients(admin, customerId, { recipients: "SOC@Example.com\nciso@example.com, soc@example.com" });
    assert.ok(good.ok);
    assert.deepEqual((await prisma.customer.findUniqueOrThrow({ where: { id: customerId } })).reportRecipients, ["soc@example.com", "ciso@example.com"]);
    assert.equal(await prisma.auditEntry.count({ where: { action: "report.recipients_set", customerId } }), 1);
    const due = await m.reports.monthlyReportsDue(new Date("2026-12-01T06:00:00Z"));
    const mine = due.find((d) => d.customerId === customerId);
    assert.deepEqual(mine?.range, { from: "2026-11-01", to: "2026-11-30" });
    const analyst: Viewer = { ...admin, role: "ANALYST", customerScope: [customerId] };
    await assert.rejects(m.sla.setReportRecipients(analyst, customerId, { recipients: "x@example.com" }), /access/i);
  });

  test("the breach scanner writes each event once (idempotent), only for clocks still running", async () => {
    const customerId = await plainCustomer("Scanner");
    const now = new Date();
    const breaching = await incident(customerId, { created: new Date(now.getTime() - 5 * MIN), severity: "high" }); // ack due in 10 min
    const breached = await incident(customerId, { created: new Date(now.getTime() - 20 * MIN), severity: "high" }); // ack due 5 min ago
    await incident(customerId, { created: new Date(now.getTime() - 20 * MIN), severity: "high", ackAfter: 1 }); // acknowledged: nothing
    await incident(customerId, { created: new Date(now.getTime() - 3 * 24 * 60 * MIN), severity: "high" }); // long past: not news
    const first = await m.clocks.scanSlaNotifications(prisma, now);
    assert.ok(first >= 2);
    const events = await prisma.notificationEvent.findMany({ where: { customerId }, orderBy: { dedupeKey: "asc" } });
    assert.deepEqual(
      events.map((e) => e.dedupeKey),
      [`sla:sla.breached:ack:${breached}`, `sla:sla.breaching:ack:${breaching}`].sort(),
    );
    const ev = events.find((e) => e.incidentId === breached)!;
    assert.equal(ev.kind, "sla.breached");
    assert.deepEqual(ev.detail, { which: "ack", dueAt: new Date(now.getTime() - 20 * MIN + 15 * MIN).toISOString() });
    assert.equal(ev.partnerId, partnerId);
    assert.equal(await m.clocks.scanSlaNotifications(prisma, now), 0, "a second scan writes nothing");
    assert.equal(await prisma.notificationEvent.count({ where: { customerId } }), 2);
    // Ten minutes later the breaching clock has breached: one new event, the old ones stay single.
    await m.clocks.scanSlaNotifications(prisma, new Date(now.getTime() + 11 * MIN));
    assert.equal(await prisma.notificationEvent.count({ where: { customerId, kind: "sla.breached" } }), 2);
  });

  test("the worker schedules the SLA job every minute, and a job recomputes a stale customer", async () => {
    const { startSyncWorker } = await import("../../lib/sync/worker.ts");
    const worker = await startSyncWorker({ databaseUrl: database.url, concurrency: 1, schedulerIntervalMs: 60_000 });
    try {
      const schedules = await prisma.$queryRaw<{ name: string; cron: string; timezone: string }[]>`SELECT name, cron, timezone FROM pgboss.schedule`;
      assert.deepEqual(
        schedules.filter((s) => s.name === m.jobs.SLA_QUEUE),
        [{ name: m.jobs.SLA_QUEUE, cron: m.jobs.SLA_CRON, timezone: "UTC" }],
      );
      const customerId = await plainCustomer("Job");
      const id = await incident(customerId, { created: new Date(), severity: "high" });
      await prisma.incident.update({ where: { id }, data: { slaAckDueAt: null, slaResolveDueAt: null, slaNextDueAt: null } });
      await m.clocks.markSlaStale(prisma, { customerIds: [customerId] });
      // Not waiting for the cron's minute: a job sent now is what the schedule sends.
      const PgBoss = (await import("pg-boss")).default;
      const boss = new PgBoss({ connectionString: database.url, max: 1 });
      await boss.start();
      try {
        await boss.send(m.jobs.SLA_QUEUE, {});
      } finally {
        await boss.stop({ graceful: false });
      }
      const deadline = Date.now() + 30_000;
      while ((await prisma.customer.findUniqueOrThrow({ where: { id: customerId } })).slaStaleSince && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok((await prisma.incident.findUniqueOrThrow({ where: { id } })).slaAckDueAt, "the job recomputed the deadlines");
    } finally {
      await worker.stop();
    }
  });
});
