import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { PrismaClient } from "../../lib/db/client.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";
import { createMigratedDatabase } from "../support/db.ts";

/**
 * The queue's count stops at COUNT_CAP (an exact count across a thousand customers costs more than the page): past it
 * the page and the export say "10,000+", below it the count is exact, and the rows are the same either way. The
 * overview pages its per-customer table and totals every customer the viewer may see.
 */
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
let admin: Viewer;
let analystOfSmall: Viewer;
let mods: {
  incidents: typeof import("../../lib/data/incidents.ts");
  exports: typeof import("../../lib/data/exports.ts");
  filters: typeof import("../../lib/data/filters.ts");
  health: typeof import("../../lib/data/health.ts");
};
let big: string;
let small: string;

before(async () => {
  database = await createMigratedDatabase("queue");
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    NEXTAUTH_URL: "http://localhost:3999",
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    ENTRA_PARTNER_TENANT_ID: randomUUID(),
    ENTRA_CLIENT_ID: randomUUID(),
    ENTRA_CLIENT_SECRET: randomBytes(24).toString("base64url"),
  });
  prisma = (await import("../../lib/db/client.ts")).db();
  const partnerId = (await (await import("../../lib/data/partner.ts")).currentPartner()).id;
  mods = {
    incidents: await import("../../lib/data/incidents.ts"),
    exports: await import("../../lib/data/exports.ts"),
    filters: await import("../../lib/data/filters.ts"),
    health: await import("../../lib/data/health.ts"),
  };
  big = randomUUID();
  small = randomUUID();
  for (const [id, name] of [
    [big, "Big Co"],
    [small, "Small Co"],
  ] as const) {
    await prisma.customer.create({ data: { id, partnerId, displayName: name, region: "global", tenantId: randomUUID(), status: "CONSENTED" } });
  }
  const cap = mods.incidents.COUNT_CAP;
  await prisma.$executeRaw`
    INSERT INTO "Incident" (id, "customerId", source, "sourceId", title, severity, status, "createdTime", "lastUpdateTime", payload, "syncedAt")
    SELECT gen_random_uuid(), c.id::uuid, 'graph', n::text,
           CASE WHEN n % 1000 = 0 THEN 'Ransomware staged on a file server' ELSE 'Suspicious sign-in' END,
           CASE WHEN n % 2 = 0 THEN 'high' ELSE 'low' END, 'active',
           now() - n * interval '1 minute', now() - n * interval '1 minute', '{}'::jsonb, now()
    FROM (VALUES (${big}, ${cap + 25}), (${small}, 30)) AS c(id, count), generate_series(1, c.count) AS n`;
  admin = { userId: randomUUID(), partnerId, name: "Admin", email: "admin@partner.test", role: "ADMIN", customerScope: "all" };
  analystOfSmall = { ...admin, role: "ANALYST", customerScope: [small] };
});
after(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

const incidentQuery = (q: Record<string, string | string[]> = {}) => mods.filters.parseFilters(mods.filters.incidentFilters, q);

test("past COUNT_CAP the count stops and says so; the page's rows are unaffected", async () => {
  const r = await mods.incidents.listIncidents(admin, incidentQuery());
  assert.equal(r.total, mods.incidents.COUNT_CAP);
  assert.equal(r.totalCapped, true);
  assert.equal(r.rows.length, r.pageSize);
  // Newest first: the first rows are the most recent of both customers.
  assert.ok(r.rows[0]!.lastUpdateTime >= r.rows[1]!.lastUpdateTime);
  const deep = await mods.incidents.listIncidents(admin, incidentQuery({ page: String(Math.ceil((mods.incidents.COUNT_CAP + 55) / r.pageSize)) }));
  assert.ok(deep.rows.length > 0 && deep.rows.length < r.pageSize, "pages past the cap still list their rows");
});

test("below the cap the count is exact, also when filters and the viewer's scope narrow it", async () => {
  const narrowed = await mods.incidents.listIncidents(admin, incidentQuery({ q: "ransomware" }));
  assert.deepEqual([narrowed.total, narrowed.totalCapped], [Math.floor((mods.incidents.COUNT_CAP + 25) / 1000), false]);
  const scoped = await mods.incidents.listIncidents(analystOfSmall, incidentQuery());
  assert.deepEqual([scoped.total, scoped.totalCapped], [30, false]);
  assert.ok(scoped.rows.every((i) => i.customer.id === small));
  const half = await mods.incidents.listIncidents(admin, incidentQuery({ customer: small, severity: "high" }));
  assert.deepEqual([half.total, half.totalCapped], [15, false]);
});

test("an export past the cap holds EXPORT_LIMIT rows and says it was cut", async () => {
  const file = await mods.exports.exportIncidents(admin, incidentQuery());
  assert.equal(file.truncated, true);
  assert.equal(file.csv.trim().split("\r\n").length, mods.incidents.EXPORT_LIMIT + 1);
  const whole = await mods.exports.exportIncidents(analystOfSmall, incidentQuery());
  assert.deepEqual([whole.total, whole.truncated], [30, false]);
});

test("the incident export carries the SLA deadlines and when the incident was acknowledged and resolved, as ISO timestamps", async () => {
  const at = (iso: string) => new Date(iso);
  const sla = { slaAckDueAt: at("2031-05-01T10:15:00.000Z"), slaResolveDueAt: at("2031-05-02T10:00:00.000Z") };
  await prisma.incident.updateMany({
    where: { customerId: small, sourceId: "1" },
    data: { ...sla, acknowledgedAt: at("2031-05-01T09:30:12.345Z"), resolvedAt: at("2031-05-01T20:00:00.000Z") },
  });
  await prisma.incident.updateMany({ where: { customerId: small, sourceId: "2" }, data: sla });
  try {
    const file = await mods.exports.exportIncidents(analystOfSmall, incidentQuery());
    const [header, ...lines] = file.csv
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    const cells = (line: string) => line.slice(1, -1).split('","');
    assert.deepEqual(cells(header!).slice(-4), ["SLA acknowledge due", "SLA resolve due", "Acknowledged at", "Resolved at"]);
    const row = (sourceId: string) => cells(lines.find((l) => cells(l)[1] === sourceId)!);
    assert.deepEqual(row("1").slice(-4), ["2031-05-01T10:15:00.000Z", "2031-05-02T10:00:00.000Z", "2031-05-01T09:30:12.345Z", "2031-05-01T20:00:00.000Z"]);
    assert.deepEqual(row("2").slice(-4), ["2031-05-01T10:15:00.000Z", "2031-05-02T10:00:00.000Z", "", ""], "empty when not (yet) acknowledged or resolved");
    assert.deepEqual(row("3").slice(-4), ["", "", "", ""], "empty when no SLA applies");
    assert.equal(cells(header!).length, row("1").length);
  } finally {
    await prisma.incident.updateMany({
      where: { customerId: small, sourceId: { in: ["1", "2"] } },
      data: { slaAckDueAt: null, slaResolveDueAt: null, acknowledgedAt: null, resolvedAt: null },
    });
  }
});

test("the overview totals every visible customer and pages its table, most urgent first", async () => {
  const partnerId = admin.partnerId;
  // Sixty quiet customers, so the table has a second page.
  await prisma.$executeRaw`
    INSERT INTO "Customer" (id, "partnerId", "displayName", region, "tenantId", status, "createdAt", "updatedAt")
    SELECT gen_random_uuid(), ${partnerId}::uuid, 'Quiet ' || lpad(n::text, 2, '0'), 'global', gen_random_uuid(), 'PENDING', now(), now()
    FROM generate_series(1, 60) AS n`;
  const size = mods.health.OVERVIEW_PAGE_SIZE;
  const first = await mods.health.getOverview(admin);
  assert.equal(first.summary.customers, 62);
  assert.equal(first.rows.length, size);
  assert.deepEqual(
    first.rows.slice(0, 2).map((r) => r.displayName),
    ["Big Co", "Small Co"],
  );
  const bigCount = mods.incidents.COUNT_CAP + 25;
  assert.deepEqual([first.totals.high, first.totals.low], [Math.floor(bigCount / 2) + 15, Math.ceil(bigCount / 2) + 15]);
  const second = await mods.health.getOverview(admin, { page: 2 });
  assert.equal(second.rows.length, 62 - size);
  assert.equal(new Set([...first.rows, ...second.rows].map((r) => r.id)).size, 62);
  assert.equal((await mods.health.getOverview(admin, { page: 99 })).page, 2, "a page past the end shows the last one");

  const quiet = second.rows.find((r) => r.displayName.startsWith("Quiet"))!;
  assert.deepEqual([quiet.problem, quiet.waiting], [null, "Awaiting consent"], "a customer that has not consented is not called healthy");
  await prisma.customer.update({ where: { id: quiet.id }, data: { status: "DECLINED" } });
  const declined = (await mods.health.getOverview(admin)).attention.find((r) => r.id === quiet.id);
  assert.match(declined?.problem ?? "", /declined consent/);

  const scoped = await mods.health.getOverview(analystOfSmall);
  assert.deepEqual([scoped.summary.customers, scoped.rows.map((r) => r.id), scoped.totals.high, scoped.totals.low], [1, [small], 15, 15]);
});

test("the customer list pages through every customer the viewer may see (none silently left out)", async () => {
  const customers = await import("../../lib/data/customers.ts");
  const all = await prisma.customer.count();
  const query = (q: Record<string, string> = {}) => customers.customerListQuery.parse(q);
  const pages = [];
  for (let page = 1; page <= Math.ceil(all / customers.CUSTOMER_PAGE_SIZE); page++)
    pages.push(await customers.listCustomers(admin, query({ page: String(page) })));
  assert.ok(pages.length > 1, "more customers than one page");
  assert.ok(pages.every((p) => p.total === all));
  assert.equal(new Set(pages.flatMap((p) => p.customers.map((c) => c.id))).size, all);
  const scoped = await customers.listCustomers(analystOfSmall, query());
  assert.deepEqual([scoped.total, scoped.customers.map((c) => c.id)], [1, [small]]);
});
