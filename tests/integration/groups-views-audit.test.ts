import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { PrismaClient } from "../../lib/db/client.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";
import { createMigratedDatabase } from "../support/db.ts";

/**
 * Customer groups scope what an analyst sees (direct ∪ group assignments, read again on every request) and, as a
 * filter, only ever narrow it; saved views belong to their owner (an admin may also change shared ones); the audit
 * log filters by actor, customer, action and time within the partner, and its export is formula-safe and audited.
 */
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
let mods: {
  groups: typeof import("../../lib/data/groups.ts");
  views: typeof import("../../lib/data/views.ts");
  audit: typeof import("../../lib/data/audit-log.ts");
  frame: typeof import("../../lib/data/queue-frame.ts");
  notifications: typeof import("../../lib/data/notifications.ts");
  incidents: typeof import("../../lib/data/incidents.ts");
  exports: typeof import("../../lib/data/exports.ts");
  filters: typeof import("../../lib/data/filters.ts");
  health: typeof import("../../lib/data/health.ts");
  customers: typeof import("../../lib/data/customers.ts");
  users: typeof import("../../lib/data/users.ts");
};
let partnerId: string;
let admin: Viewer;
let analystId: string;
let otherAnalystId: string;
const c = { direct: randomUUID(), gold1: randomUUID(), gold2: randomUUID(), outside: randomUUID() };
let otherPartner: { id: string; admin: Viewer; customer: string };

before(async () => {
  database = await createMigratedDatabase("groups");
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    NEXTAUTH_URL: "http://localhost:3999",
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    ENTRA_PARTNER_TENANT_ID: randomUUID(),
    ENTRA_CLIENT_ID: randomUUID(),
    ENTRA_CLIENT_SECRET: randomBytes(24).toString("base64url"),
  });
  prisma = (await import("../../lib/db/client.ts")).db();
  partnerId = (await (await import("../../lib/data/partner.ts")).currentPartner()).id;
  mods = {
    groups: await import("../../lib/data/groups.ts"),
    views: await import("../../lib/data/views.ts"),
    audit: await import("../../lib/data/audit-log.ts"),
    frame: await import("../../lib/data/queue-frame.ts"),
    notifications: await import("../../lib/data/notifications.ts"),
    incidents: await import("../../lib/data/incidents.ts"),
    exports: await import("../../lib/data/exports.ts"),
    filters: await import("../../lib/data/filters.ts"),
    health: await import("../../lib/data/health.ts"),
    customers: await import("../../lib/data/customers.ts"),
    users: await import("../../lib/data/users.ts"),
  };
  const user = async (pid: string, role: "ADMIN" | "ANALYST", name: string) => {
    const id = randomUUID();
    await prisma.portalUser.create({
      data: {
        id,
        partnerId: pid,
        entraObjectId: randomUUID(),
        email: `${name.toLowerCase()}@partner.test`,
        displayName: name,
        role,
        roleSource: "entra-app-role",
      },
    });
    return id;
  };
  const adminId = await user(partnerId, "ADMIN", "Ada Admin");
  analystId = await user(partnerId, "ANALYST", "Ann Analyst");
  otherAnalystId = await user(partnerId, "ANALYST", "Otto Analyst");
  admin = { userId: adminId, partnerId, name: "Ada Admin", email: "ada admin@partner.test", role: "ADMIN", customerScope: "all" };
  const names: Record<string, string> = { direct: "Direct Co", gold1: "Gold One", gold2: '=HYPERLINK("x") Gold Two', outside: "Outside Co" };
  for (const [k, id] of Object.entries(c)) {
    await prisma.customer.create({ data: { id, partnerId, displayName: names[k]!, region: "global", tenantId: randomUUID(), status: "CONSENTED" } });
    for (const sev of ["high", "low"]) {
      await prisma.incident.create({
        data: {
          id: randomUUID(),
          customerId: id,
          source: "graph",
          sourceId: `${k}-${sev}`,
          title: `${k} ${sev}`,
          severity: sev,
          status: "active",
          assignedTo: k === "gold1" && sev === "high" ? "Ann Analyst@Partner.Test".replace(" ", "") : null,
          createdTime: new Date(),
          lastUpdateTime: new Date(),
          payload: {},
          syncedAt: new Date(),
        },
      });
    }
  }
  await prisma.analystAssignment.create({ data: { userId: analystId, customerId: c.direct } });
  const opId = randomUUID();
  await prisma.partner.create({ data: { id: opId, name: "Other MSSP", entraTenantId: randomUUID() } });
  const opAdmin = await user(opId, "ADMIN", "Eve Elsewhere");
  const opCustomer = randomUUID();
  await prisma.customer.create({
    data: { id: opCustomer, partnerId: opId, displayName: "Elsewhere Co", region: "global", tenantId: randomUUID(), status: "CONSENTED" },
  });
  otherPartner = { id: opId, admin: { ...admin, userId: opAdmin, partnerId: opId, name: "Eve" }, customer: opCustomer };
});
after(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

/** What session.ts builds on every request: the analyst's customers read again from the assignments. */
async function analystViewer(userId = analystId): Promise<Viewer> {
  return {
    userId,
    partnerId,
    name: "Ann Analyst",
    email: "annanalyst@partner.test",
    role: "ANALYST",
    customerScope: await mods.users.loadAssignedCustomerIds(userId),
  };
}
const q = (params: Record<string, string> = {}) => mods.filters.parseFilters(mods.filters.incidentFilters, { range: "all", ...params });
const customersOf = (rows: { customer: { id: string } }[]) => [...new Set(rows.map((r) => r.customer.id))].sort();

let gold: string;
let silver: string;

test("admins create groups, add customers and assign analysts; the analyst then sees direct ∪ group customers", async () => {
  const created = await mods.groups.createGroup(admin, { name: "Gold 24×7", description: "Round the clock" });
  assert.ok(created.ok && "value" in created);
  gold = created.value.id;
  const dup = await mods.groups.createGroup(admin, { name: "Gold 24×7" });
  assert.deepEqual(dup.ok ? null : dup.fieldErrors, { name: "A group with this name already exists." });
  const s = await mods.groups.createGroup(admin, { name: "Silver" });
  assert.ok(s.ok && "value" in s);
  silver = s.value.id;
  assert.ok((await mods.groups.addGroupCustomers(admin, gold, [c.gold1, c.gold2])).ok);
  assert.ok((await mods.groups.setCustomerGroups(admin, c.outside, [silver])).ok);
  assert.ok((await mods.groups.setGroupAnalysts(admin, gold, [analystId])).ok);

  const viewer = await analystViewer();
  assert.deepEqual([...viewer.customerScope].sort(), [c.direct, c.gold1, c.gold2].sort());
  const list = await mods.incidents.listIncidents(viewer, q());
  assert.deepEqual(customersOf(list.rows), [c.direct, c.gold1, c.gold2].sort());
  const detail = await mods.groups.getGroup(admin, gold);
  assert.deepEqual(detail?.customers.map((x) => x.id).sort(), [c.gold1, c.gold2].sort());
  assert.deepEqual(
    detail?.analysts.filter((a) => a.assigned).map((a) => a.id),
    [analystId],
  );
  // Analysts pick only groups holding customers they see, with their own count: Silver (Outside Co only) is not offered.
  assert.deepEqual(
    (await mods.groups.listFilterGroups(viewer)).map((g) => [g.name, g.customers]),
    [["Gold 24×7", 2]],
  );
});

test("a group filter intersects the viewer's scope: queues, overview, customer list and exports never widen", async () => {
  const viewer = await analystViewer();
  const inGold = await mods.incidents.listIncidents(viewer, q({ group: gold }));
  assert.deepEqual(customersOf(inGold.rows), [c.gold1, c.gold2].sort());
  // Silver holds a customer the analyst does not see: filtering by it shows nothing, not Outside Co.
  const inSilver = await mods.incidents.listIncidents(viewer, q({ group: silver }));
  assert.equal(inSilver.total, 0);
  const alerts = await mods.incidents.listAlerts(viewer, mods.filters.parseFilters(mods.filters.alertFilters, { group: silver, range: "all" }));
  assert.equal(alerts.total, 0);
  assert.deepEqual((await mods.health.getOverview(viewer, { group: silver })).summary.customers, 0);
  const overview = await mods.health.getOverview(viewer, { group: gold });
  assert.deepEqual(overview.rows.map((r) => r.id).sort(), [c.gold1, c.gold2].sort());
  const list = await mods.customers.listCustomers(viewer, mods.customers.customerListQuery.parse({ group: silver }));
  assert.equal(list.total, 0);
  const file = await mods.exports.exportIncidents(viewer, q({ group: gold }));
  assert.equal(file.total, 4);
  assert.ok(!file.csv.includes("Outside Co") && !file.csv.includes("Direct Co"));
  // The admin's group filter narrows to the group.
  assert.deepEqual(customersOf((await mods.incidents.listIncidents(admin, q({ group: silver }))).rows), [c.outside]);
  // A malformed group id is no filter at all (falls back), never an error.
  assert.equal(q({ group: "'; drop table" }).group, undefined);
});

test("removing an analyst from a group (or a customer from it) removes access on the next request", async () => {
  assert.ok((await mods.groups.removeGroupCustomer(admin, gold, c.gold2)).ok);
  let viewer = await analystViewer();
  assert.deepEqual([...viewer.customerScope].sort(), [c.direct, c.gold1].sort());
  assert.ok((await mods.groups.setGroupAnalysts(admin, gold, [])).ok);
  viewer = await analystViewer();
  assert.deepEqual([...viewer.customerScope], [c.direct]);
  assert.equal(
    await mods.incidents.getIncidentDetail(viewer, (await prisma.incident.findFirstOrThrow({ where: { customerId: c.gold1 } })).id, { refresh: false }),
    null,
  );
  // Deleting a group drops its memberships and assignments with it.
  await mods.groups.setGroupAnalysts(admin, gold, [analystId]);
  assert.ok((await mods.groups.deleteGroup(admin, gold)).ok);
  assert.deepEqual([...(await analystViewer()).customerScope], [c.direct]);
  const again = await mods.groups.createGroup(admin, { name: "Gold 24×7" });
  assert.ok(again.ok && "value" in again);
  gold = again.value.id;
  await mods.groups.addGroupCustomers(admin, gold, [c.gold1, c.gold2]);
});

test("group management is for admins; another partner's groups, customers and analysts are not found", async () => {
  const analyst = await analystViewer();
  await assert.rejects(mods.groups.createGroup(analyst, { name: "Mine" }), { name: "AccessDeniedError" });
  await assert.rejects(mods.groups.setGroupAnalysts(analyst, gold, [analystId]), { name: "AccessDeniedError" });
  await assert.rejects(mods.groups.addGroupCustomers(analyst, gold, [c.outside]), { name: "AccessDeniedError" });
  await assert.rejects(mods.groups.listGroups(analyst), { name: "AccessDeniedError" });
  const eve = otherPartner.admin;
  assert.equal(await mods.groups.getGroup(eve, gold), null);
  for (const r of [
    await mods.groups.updateGroup(eve, gold, { name: "Taken over" }),
    await mods.groups.deleteGroup(eve, gold),
    await mods.groups.addGroupCustomers(eve, gold, [otherPartner.customer]),
    await mods.groups.removeGroupCustomer(eve, gold, c.gold1),
    await mods.groups.setGroupAnalysts(eve, gold, []),
    await mods.groups.setCustomerGroups(eve, c.gold1, []),
  ])
    assert.deepEqual([r.ok, r.ok ? null : r.code], [false, "not_found"]);
  // Ada cannot put Eve's customer or analyst into her own group either.
  assert.equal((await mods.groups.addGroupCustomers(admin, gold, [otherPartner.customer])).ok, false);
  assert.equal((await mods.groups.setGroupAnalysts(admin, gold, [eve.userId])).ok, false);
  assert.equal((await mods.groups.getGroup(admin, gold))?.name, "Gold 24×7");
  assert.deepEqual(await mods.groups.listFilterGroups(eve), []);
  // Eve filtering her queue by Ada's group sees none of Ada's incidents.
  assert.equal((await mods.incidents.listIncidents(eve, q({ group: gold }))).total, 0);
});

test("saved views: personal or shared; only the owner (or an admin, for shared views) changes them", async () => {
  const ann = await analystViewer();
  const otto = await analystViewer(otherAnalystId);
  const mine = await mods.views.createView(ann, { queue: "incidents", name: "High, mine", query: "?severity=high&assigned=me&page=7&bogus=1", shared: "" });
  assert.ok(mine.ok && "value" in mine);
  const team = await mods.views.createView(ann, { queue: "incidents", name: "Gold high", query: `severity=high&group=${gold}`, shared: "on" });
  assert.ok(team.ok && "value" in team);
  assert.equal((await mods.views.createView(ann, { queue: "incidents", name: "Gold high", query: "" })).ok, false, "names are unique per owner");

  const annViews = await mods.views.listViews(ann, "incidents");
  assert.deepEqual(
    annViews.map((v) => [v.name, v.href, v.shared, v.canEdit]),
    [
      ["Gold high", `/incidents?group=${gold}&severity=high`, true, true],
      ["High, mine", "/incidents?severity=high&assigned=me", false, true],
    ],
  );
  // Otto sees the shared view only, and cannot rename or delete it; Ann's personal view is not found for him.
  const ottoViews = await mods.views.listViews(otto, "incidents");
  assert.deepEqual(
    ottoViews.map((v) => [v.name, v.canEdit, v.ownerName]),
    [["Gold high", false, "Ann Analyst"]],
  );
  const denied = await mods.views.deleteView(otto, team.value.id);
  assert.deepEqual([denied.ok, denied.ok ? null : denied.code], [false, "access_denied"]);
  const rename = await mods.views.updateView(otto, team.value.id, { name: "Hijacked", shared: "on" });
  assert.deepEqual([rename.ok, rename.ok ? null : rename.code], [false, "access_denied"]);
  const hidden = await mods.views.deleteView(otto, mine.value.id);
  assert.deepEqual([hidden.ok, hidden.ok ? null : hidden.code], [false, "not_found"]);
  assert.deepEqual(await mods.views.listViews(otherPartner.admin, "incidents"), [], "another partner sees no view");
  assert.equal((await mods.views.deleteView(otherPartner.admin, team.value.id)).ok, false);
  // An admin may not touch a personal view, but may rename and delete a shared one.
  assert.equal((await mods.views.deleteView(admin, mine.value.id)).ok, false);
  assert.ok((await mods.views.updateView(admin, team.value.id, { name: "Gold high (team)", shared: "on" })).ok);
  assert.ok((await mods.views.updateView(ann, mine.value.id, { name: "Mine, renamed" })).ok);
  assert.ok((await mods.views.deleteView(admin, team.value.id)).ok);
  assert.deepEqual(
    (await mods.views.listViews(ann, "incidents")).map((v) => v.name),
    ["Mine, renamed"],
  );
  assert.deepEqual(await mods.views.listViews(ann, "alerts"), []);
  // A view holds filters, never access: Otto opening Ann's gold filter still sees only his own customers (none).
  assert.equal((await mods.incidents.listIncidents(otto, q({ group: gold }))).total, 0);
});

test("a queue page's frame (groups, named customers, views, suppression marks) is what each reader returns alone, in one statement", async () => {
  const ann = await analystViewer();
  const view = await mods.views.createView(ann, { queue: "incidents", name: "Zed <b>view</b>", query: "severity=high", shared: "on" });
  assert.ok(view.ok);
  const until = new Date(Date.now() + 86_400_000).toISOString();
  const byGroup = await mods.notifications.createSuppression(admin, { groupIds: [gold], titleContains: "HIGH", until, reason: "Gold change window" });
  const byCustomer = await mods.notifications.createSuppression(admin, { customerIds: [c.direct], until, reason: "Direct pentest" });
  assert.ok(byGroup.ok && byCustomer.ok);
  const incidents = await prisma.incident.findMany({ select: { customerId: true, title: true } });
  const named = [c.direct, c.outside, otherPartner.customer];
  for (const viewer of [admin, ann, await analystViewer(otherAnalystId), otherPartner.admin]) {
    for (const queue of mods.views.VIEW_QUEUES) {
      const frame = await mods.frame.loadQueueFrame(viewer, queue, named);
      assert.deepEqual(frame.groups, await mods.groups.listFilterGroups(viewer));
      assert.deepEqual(frame.views, await mods.views.listViews(viewer, queue));
      // Only the named customers the viewer may see, with their names.
      const visible = new Set(
        viewer.customerScope === "all" ? (await prisma.customer.findMany({ where: { partnerId: viewer.partnerId } })).map((x) => x.id) : viewer.customerScope,
      );
      assert.deepEqual(frame.customers.map((x) => x.id).sort(), named.filter((id) => visible.has(id)).sort());
      const names = frame.customers.map((x) => x.displayName);
      assert.deepEqual(names, [...names].sort(), "in name order");
      if (queue === "alerts") {
        assert.deepEqual(frame.suppressions.rows, [], "the alerts queue marks nothing and does not read suppressions");
        continue;
      }
      for (const i of incidents) {
        assert.deepEqual(mods.notifications.suppressionMark(frame.suppressions, i), await mods.notifications.suppressionOf(viewer, i));
      }
    }
  }
  assert.equal(mods.notifications.suppressionMark({ rows: [], members: [], now: new Date() }, incidents[0]!), null, "no suppressions, no marks");
  const frame = await mods.frame.loadQueueFrame(admin, "incidents", []);
  assert.deepEqual(
    incidents
      .map((i) => [i.title, mods.notifications.suppressionMark(frame.suppressions, i)?.reason ?? null])
      .filter(([, reason]) => reason)
      .sort(),
    [
      ["direct high", "Direct pentest"],
      ["direct low", "Direct pentest"],
      ["gold1 high", "Gold change window"],
      ["gold2 high", "Gold change window"],
    ],
  );
  assert.deepEqual(frame.customers, [], "no customer named, none read");
  assert.deepEqual((await mods.frame.loadQueueFrame(otherPartner.admin, "incidents", [])).suppressions.rows, [], "another partner's suppressions mark nothing");
  for (const r of [byGroup, byCustomer]) if (r.ok) await mods.notifications.endSuppression(admin, r.value.id);
  if (view.ok) await mods.views.deleteView(ann, view.value.id);
});

test("a page past the last one still counts the matching rows (the count rides on the rows otherwise)", async () => {
  const all = await mods.incidents.listIncidents(admin, q());
  assert.ok(all.total > 0 && all.rows.length === all.total);
  const past = await mods.incidents.listIncidents(admin, q({ page: "9" }));
  assert.deepEqual([past.rows.length, past.total, past.totalCapped], [0, all.total, false]);
  const none = await mods.incidents.listIncidents(admin, q({ q: "no title has this" }));
  assert.deepEqual([none.rows.length, none.total], [0, 0]);
  const alerts = await mods.incidents.listAlerts(admin, mods.filters.parseFilters(mods.filters.alertFilters, { range: "all", page: "3" }));
  assert.deepEqual([alerts.rows.length, alerts.total], [0, 0]);
});

test("my queue: incidents assigned to the viewer's e-mail, whatever its case", async () => {
  assert.equal(mods.views.MY_QUEUE_HREF, `/incidents${mods.views.normalizeViewQuery("incidents", mods.views.MY_QUEUE_HREF.split("?")[1]!)}`);
  const viewer = { ...admin, email: "annanalyst@partner.test" };
  const mine = await mods.incidents.listIncidents(
    viewer,
    mods.filters.parseFilters(mods.filters.incidentFilters, Object.fromEntries(new URLSearchParams(mods.views.MY_QUEUE_HREF.split("?")[1]))),
  );
  assert.deepEqual(
    mine.rows.map((r) => r.sourceId),
    ["gold1-high"],
  );
});

test("the audit log filters by actor, customer, action and time within the partner; its CSV is formula-safe and audited", async () => {
  await prisma.auditEntry.create({ data: { actor: "system", action: "permissions.changed", customerId: c.gold1, detail: { added: ["x"] } } });
  // Eve's partner writes audit rows too: none of them may show in Ada's log.
  await mods.groups.createGroup(otherPartner.admin, { name: "Eve's group" });
  await mods.exports.exportIncidents(otherPartner.admin, q());
  const all = await mods.audit.listAudit(admin, mods.audit.parseAuditQuery({}));
  assert.ok(all.total > 5);
  assert.ok(all.rows.every((r) => r.actor !== "Eve Elsewhere"));
  assert.ok(!JSON.stringify(all).includes("Eve's group"));
  for (const action of [
    "group.created",
    "group.customer_added",
    "group.analysts_set",
    "customer.groups_set",
    "group.deleted",
    "export.incidents",
    "view.created",
  ])
    assert.ok(all.actions.includes(action), `action ${action} is offered`);
  assert.deepEqual(all.actors.map((a) => a.name).sort(), ["Ada Admin", "Ann Analyst", "Otto Analyst"]);

  const byAction = await mods.audit.listAudit(admin, mods.audit.parseAuditQuery({ action: "group.analysts_set" }));
  assert.ok(byAction.total >= 3 && byAction.rows.every((r) => r.action === "group.analysts_set" && r.actor === "Ada Admin"));
  assert.match(byAction.rows.find((r) => r.detail.includes("Ann Analyst"))?.detail ?? "", /group: Gold 24×7; analysts: Ann Analyst/);

  const byActor = await mods.audit.listAudit(admin, mods.audit.parseAuditQuery({ actor: analystId }));
  assert.ok(byActor.total > 0 && byActor.rows.every((r) => r.actor === "Ann Analyst"));
  assert.equal(
    (await mods.audit.listAudit(admin, mods.audit.parseAuditQuery({ actor: otherPartner.admin.userId }))).total,
    0,
    "another partner's user: nothing",
  );

  const bySystem = await mods.audit.listAudit(admin, mods.audit.parseAuditQuery({ actor: "system" }));
  assert.deepEqual(
    bySystem.rows.map((r) => [r.actor, r.action]),
    [["System", "permissions.changed"]],
  );
  const byCustomer = await mods.audit.listAudit(admin, mods.audit.parseAuditQuery({ customer: c.gold2 }));
  assert.ok(byCustomer.total >= 2 && byCustomer.rows.every((r) => r.customer?.id === c.gold2));
  assert.equal(byCustomer.customer?.displayName, '=HYPERLINK("x") Gold Two');
  assert.equal((await mods.audit.listAudit(admin, mods.audit.parseAuditQuery({ customer: otherPartner.customer }))).total, 0);

  const future = await mods.audit.listAudit(admin, mods.audit.parseAuditQuery({ from: new Date(Date.now() + 3_600_000).toISOString().slice(0, 16) }));
  assert.equal(future.total, 0);
  const past = await mods.audit.listAudit(admin, mods.audit.parseAuditQuery({ to: "2020-01-01T00:00" }));
  assert.equal(past.total, 0);
  const window = await mods.audit.listAudit(
    admin,
    mods.audit.parseAuditQuery({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() }),
  );
  assert.equal(window.total, all.total);
  assert.equal(mods.audit.parseAuditQuery({ from: "yesterday-ish", page: "-3" }).from, undefined);

  await assert.rejects(mods.audit.listAudit(await analystViewer(), mods.audit.parseAuditQuery({})), { name: "AccessDeniedError" });
  await assert.rejects(mods.audit.exportAudit(await analystViewer(), mods.audit.parseAuditQuery({})), { name: "AccessDeniedError" });

  const file = await mods.audit.exportAudit(admin, mods.audit.parseAuditQuery({ customer: c.gold2 }));
  assert.ok(file.csv.includes(`"'=HYPERLINK(""x"") Gold Two"`), "a customer name starting with = is neutralised");
  assert.ok(!/(^|,)"=/m.test(file.csv));
  assert.equal(file.csv.trim().split("\r\n").length, byCustomer.total + 1);
  const exported = await mods.audit.listAudit(admin, mods.audit.parseAuditQuery({ action: "export.audit" }));
  assert.equal(exported.total, 1);
  assert.match(exported.rows[0]!.detail, /rows: \d+/);
});
