import assert from "node:assert/strict";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createMigratedDatabase } from "../support/db.ts";
import type { PrismaClient } from "../../lib/db/client.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";
import { startReceivers, type ReceiversHandle } from "../../simulator/receivers/server.ts";

/**
 * The settings data layer (lib/data/notifications.ts) against a real PostgreSQL and the real receivers: secrets are
 * sealed at rest and never shown or audited, Send test goes through the SSRF guard, analysts are refused, rules and
 * suppressions stay within the partner.
 */
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
let rx: ReceiversHandle;
let admin: Viewer;
let analyst: Viewer;
let otherAdmin: Viewer;
let customerId: string;
const KEY = randomBytes(32).toString("base64");

before(async () => {
  database = await createMigratedDatabase("notifyset");
  rx = await startReceivers();
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    NEXTAUTH_URL: "http://localhost:3999",
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(rx.smtpPort),
    SMTP_REQUIRE_TLS: "false",
    NOTIFY_ENCRYPTION_KEY: KEY,
    NOTIFY_ALLOWED_PRIVATE_URLS: rx.httpUrl,
    NOTIFY_SEND_TIMEOUT_MS: "2000",
  });
  prisma = (await import("../../lib/db/client.ts")).db();
  const partner = async (name: string) => {
    const id = randomUUID();
    await prisma.partner.create({ data: { id, name, entraTenantId: randomUUID() } });
    return id;
  };
  const p1 = await partner("Settings MSSP");
  const p2 = await partner("Other MSSP");
  customerId = randomUUID();
  await prisma.customer.create({ data: { id: customerId, partnerId: p1, displayName: "Northwind", region: "eu" } });
  const user = async (partnerId: string, role: "ADMIN" | "ANALYST"): Promise<Viewer> => {
    const id = randomUUID();
    await prisma.portalUser.create({ data: { id, partnerId, entraObjectId: randomUUID(), email: `${id}@x.test`, displayName: `User ${role}`, role } });
    return { userId: id, partnerId, name: `User ${role}`, email: `${id}@x.test`, role, customerScope: role === "ADMIN" ? "all" : [customerId] };
  };
  admin = await user(p1, "ADMIN");
  analyst = await user(p1, "ANALYST");
  otherAdmin = await user(p2, "ADMIN");
});
after(async () => {
  await rx?.close();
  await prisma?.$disconnect();
  await database?.drop();
});

describe("channels", () => {
  test("a webhook's URL and signing secret are sealed at rest, shown once, never listed or audited; Send test is signed", async () => {
    const n = await import("../../lib/data/notifications.ts");
    const url = `${rx.httpUrl}/hooks/secret-path-${randomBytes(6).toString("hex")}`;
    const r = await n.createChannel(admin, { kind: "webhook", name: "PSA", url });
    assert.ok(r.ok, JSON.stringify(r));
    const secret = r.value.signingSecret!;
    assert.match(secret, /^whsec_/);
    const path = new URL(url).pathname;
    const rows = await prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "NotificationChannel" t`);
    for (const { row } of rows) {
      assert.ok(!row.includes(path), "the URL is not stored in the clear");
      assert.ok(!row.includes(secret), "the signing secret is not stored in the clear");
    }
    const audit = await prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "AuditEntry" t`);
    assert.ok(audit.some((a) => a.row.includes("notification.channel.created")));
    for (const { row } of audit) assert.ok(!row.includes(path) && !row.includes(secret), "nothing secret in the audit log");
    const listed = JSON.stringify(await n.listChannels(admin));
    assert.ok(!listed.includes(path) && !listed.includes(secret));
    assert.match(listed, /…/, "a hint instead");

    const t = await n.testChannel(admin, r.value.id);
    assert.ok(t.ok, JSON.stringify(t));
    const hook = rx.webhooks.at(-1)!;
    const mac = createHmac("sha256", secret).update(`${hook.headers["x-portal-timestamp"]}.${hook.body}`).digest("hex");
    assert.equal(hook.headers["x-portal-signature"], `v1=${mac}`);
    assert.equal((JSON.parse(hook.body) as { type: string }).type, "test");
  });

  test("a metadata, private or plain-http URL is refused at save, and nothing is sent", async () => {
    const n = await import("../../lib/data/notifications.ts");
    const before = rx.stats.webhookPosts;
    for (const url of ["https://169.254.169.254/latest/meta-data/", "https://[fd00::1]/hook", "http://hooks.example.com/x", "https://127.0.0.1:9/x"]) {
      const r = await n.createChannel(admin, { kind: "teams", name: `T ${url}`, url });
      assert.equal(r.ok, false, url);
      assert.equal(!r.ok && r.code, "url_refused", url);
    }
    assert.equal(rx.stats.webhookPosts, before);
    assert.equal(await prisma.notificationChannel.count({ where: { kind: "teams" } }), 0);
  });

  test("e-mail Send test arrives at the SMTP receiver", async () => {
    const n = await import("../../lib/data/notifications.ts");
    const r = await n.createChannel(admin, { kind: "email", name: "SOC", recipients: "soc@a.test, lead@a.test" });
    assert.ok(r.ok);
    const t = await n.testChannel(admin, r.value.id);
    assert.ok(t.ok, JSON.stringify(t));
    const mail = rx.mails.at(-1)!;
    assert.deepEqual(mail.to.sort(), ["lead@a.test", "soc@a.test"]);
    assert.match(mail.subject, /Test message/);
  });

  test("analysts are refused every function; another partner's admin cannot touch these channels", async () => {
    const n = await import("../../lib/data/notifications.ts");
    const { AccessDeniedError } = await import("../../lib/auth/viewer.ts");
    const channel = await prisma.notificationChannel.findFirstOrThrow({ where: { partnerId: admin.partnerId } });
    await assert.rejects(n.listChannels(analyst), AccessDeniedError);
    await assert.rejects(n.createChannel(analyst, { kind: "email", name: "x", recipients: "a@b.test" }), AccessDeniedError);
    await assert.rejects(n.testChannel(analyst, channel.id), AccessDeniedError);
    await assert.rejects(n.deleteChannel(analyst, channel.id), AccessDeniedError);
    await assert.rejects(n.deliveryLog(analyst, null), AccessDeniedError);
    await assert.rejects(n.setChannelEnabled(analyst, channel.id, false), AccessDeniedError);
    assert.equal((await n.setChannelEnabled(otherAdmin, channel.id, false)).ok, false);
    assert.equal((await prisma.notificationChannel.findUniqueOrThrow({ where: { id: channel.id } })).enabled, true);
    assert.ok((await n.setChannelEnabled(admin, channel.id, false)).ok);
    assert.ok((await n.setChannelEnabled(admin, channel.id, true)).ok);
    assert.ok(await prisma.auditEntry.findFirst({ where: { action: "notification.channel.disabled" } }));
    const del = await n.deleteChannel(otherAdmin, channel.id);
    assert.equal(del.ok, false);
    const test2 = await n.testChannel(otherAdmin, channel.id);
    assert.equal(test2.ok, false);
    assert.equal((await n.listChannels(otherAdmin)).length, 0);
    assert.ok(await prisma.notificationChannel.findUnique({ where: { id: channel.id } }));
  });
});

describe("rules and suppressions", () => {
  test("a rule validates its fields and refuses another partner's channels and customers", async () => {
    const n = await import("../../lib/data/notifications.ts");
    const channel = await prisma.notificationChannel.findFirstOrThrow({ where: { partnerId: admin.partnerId } });
    const bad = await n.createRule(admin, { name: "x", kinds: [], channelIds: [] });
    assert.equal(bad.ok, false);
    const tz = await n.createRule(admin, { name: "x", kinds: ["incident.created"], channelIds: [channel.id], timeZone: "Mars/Olympus" });
    assert.equal(!tz.ok && tz.fieldErrors.timeZone !== undefined, true);
    const foreign = await n.createRule(otherAdmin, { name: "steal", kinds: ["incident.created"], channelIds: [channel.id] });
    assert.equal(foreign.ok, false);
    const ok = await n.createRule(admin, {
      name: "High at night",
      kinds: ["incident.created", "incident.unassigned"],
      unassignedMinutes: "30",
      minSeverity: "high",
      scope: "customers",
      customerIds: [customerId],
      channelIds: [channel.id],
      quietStart: "22:00",
      quietEnd: "07:00",
      timeZone: "Europe/Amsterdam",
      digestMinutes: "15",
    });
    assert.ok(ok.ok, JSON.stringify(ok));
    const rule = await prisma.notificationRule.findUniqueOrThrow({ where: { id: ok.value.id } });
    assert.deepEqual([rule.unassignedMinutes, rule.digestMinutes, rule.timeZone], [30, 15, "Europe/Amsterdam"]);
    assert.ok(await prisma.auditEntry.findFirst({ where: { action: "notification.rule.created" } }));
  });

  test("a rule is edited with the same validation, by an admin of its own partner only, and audited", async () => {
    const n = await import("../../lib/data/notifications.ts");
    const { AccessDeniedError } = await import("../../lib/auth/viewer.ts");
    const channel = await prisma.notificationChannel.findFirstOrThrow({ where: { partnerId: admin.partnerId } });
    const created = await n.createRule(admin, { name: "To edit", kinds: ["incident.created"], channelIds: [channel.id] });
    assert.ok(created.ok, JSON.stringify(created));
    const ruleId = created.value.id;

    const updated = await n.updateRule(admin, ruleId, {
      name: "Edited",
      kinds: ["incident.created", "customer.sync_failing"],
      syncFailingMinutes: "45",
      minSeverity: "medium",
      scope: "customers",
      customerIds: [customerId],
      channelIds: [channel.id],
      quietStart: "23:00",
      quietEnd: "06:30",
      timeZone: "America/New_York",
      digestMinutes: "10",
    });
    assert.ok(updated.ok, JSON.stringify(updated));
    assert.match(updated.message ?? "", /Rule “Edited” saved/);
    const row = await prisma.notificationRule.findUniqueOrThrow({ where: { id: ruleId } });
    assert.deepEqual(
      [
        row.name,
        row.kinds,
        row.minSeverity,
        row.scope,
        row.customerIds,
        row.syncFailingMinutes,
        row.quietStart,
        row.quietEnd,
        row.timeZone,
        row.digestMinutes,
        row.enabled,
      ],
      ["Edited", ["incident.created", "customer.sync_failing"], "medium", "customers", [customerId], 45, "23:00", "06:30", "America/New_York", 10, true],
    );
    const audit = await prisma.auditEntry.findFirst({ where: { action: "notification.rule.updated" }, orderBy: { createdAt: "desc" } });
    assert.ok(audit, "the edit is audited");
    const detail = JSON.stringify(audit.detail);
    assert.ok(detail.includes(ruleId) && detail.includes("Edited") && detail.includes("minSeverity"));

    // The same validation as create, as field errors; nothing changes.
    const bad = await n.updateRule(admin, ruleId, { name: " ", kinds: [], channelIds: [channel.id], timeZone: "Mars/Olympus", quietStart: "25:00" });
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.fieldErrors.name && bad.fieldErrors.kinds && bad.fieldErrors.timeZone && bad.fieldErrors.quietStart, JSON.stringify(bad));
    const needsMinutes = await n.updateRule(admin, ruleId, { name: "Edited", kinds: ["incident.unassigned"], channelIds: [channel.id] });
    assert.ok(!needsMinutes.ok && needsMinutes.fieldErrors.unassignedMinutes, JSON.stringify(needsMinutes));
    const other = await n.createRule(admin, { name: "Taken", kinds: ["incident.created"], channelIds: [channel.id] });
    assert.ok(other.ok);
    const dup = await n.updateRule(admin, ruleId, { name: "Taken", kinds: ["incident.created"], channelIds: [channel.id] });
    assert.ok(!dup.ok && dup.fieldErrors.name, JSON.stringify(dup));
    assert.equal((await prisma.notificationRule.findUniqueOrThrow({ where: { id: ruleId } })).name, "Edited");

    // An analyst is refused; another partner's admin finds no such rule (nor can point it at their own channels).
    const auditsBefore = await prisma.auditEntry.count({ where: { action: "notification.rule.updated" } });
    await assert.rejects(n.updateRule(analyst, ruleId, { name: "Analyst", kinds: ["incident.created"], channelIds: [channel.id] }), AccessDeniedError);
    const foreign = await n.updateRule(otherAdmin, ruleId, { name: "Stolen", kinds: ["incident.created"], channelIds: [channel.id] });
    assert.ok(!foreign.ok && foreign.code === "not_found", JSON.stringify(foreign));
    const missing = await n.updateRule(admin, randomUUID(), { name: "Nope", kinds: ["incident.created"], channelIds: [channel.id] });
    assert.ok(!missing.ok && missing.code === "not_found");
    assert.equal((await prisma.notificationRule.findUniqueOrThrow({ where: { id: ruleId } })).name, "Edited");
    assert.equal(await prisma.auditEntry.count({ where: { action: "notification.rule.updated" } }), auditsBefore);
  });

  test("a suppression marks matching incidents (plain, case-insensitive title) and is audited with who and why", async () => {
    const n = await import("../../lib/data/notifications.ts");
    const until = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
    const r = await n.createSuppression(admin, { customerIds: [customerId], titleContains: "(.*)+ pen", until, reason: "Red team" });
    assert.ok(r.ok, JSON.stringify(r));
    // No pattern semantics: "(.*)+" is text to find, not a regex.
    assert.deepEqual(await n.suppressionOf(analyst, { customerId, title: "x (.*)+ PEN test" }), {
      by: admin.name,
      reason: "Red team",
      until: new Date(`${until}Z`),
    });
    assert.equal(await n.suppressionOf(analyst, { customerId, title: "pen test" }), null);
    assert.equal(await n.suppressionOf(otherAdmin, { customerId, title: "x (.*)+ pen" }), null, "another partner sees no mark");
    assert.ok(await prisma.auditEntry.findFirst({ where: { action: "notification.suppression.created" } }));
    const ended = await n.endSuppression(admin, r.value.id);
    assert.ok(ended.ok);
  });
});
