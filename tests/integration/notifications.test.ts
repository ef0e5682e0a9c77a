import assert from "node:assert/strict";
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { after, afterEach, before, describe, test } from "node:test";
import { createMigratedDatabase } from "../support/db.ts";
import { createPrismaClient, type PrismaClient } from "../../lib/db/client.ts";
import { parseNotifyConfig, type NotifyConfig } from "../../lib/config/notify.ts";
import { sealChannelSecret } from "../../lib/notify/channels.ts";
import { claimDue, deliverDue } from "../../lib/notify/deliver.ts";
import { dispatchPending } from "../../lib/notify/dispatch.ts";
import { postJson } from "../../lib/notify/http-post.ts";
import { checkTargetUrl, UrlRefusedError, type Resolver } from "../../lib/notify/ssrf.ts";
import { scanConditions } from "../../lib/notify/scan.ts";
import { startReceivers, type ReceiversHandle } from "../../simulator/receivers/server.ts";

/**
 * Notifications end to end below the UI (issue 10 §2), against a real PostgreSQL, the real local SMTP receiver and
 * the real HTTP receiver: outbox → dispatch → delivery rows → send, under faults (5xx, 429 + Retry-After, timeout, a
 * worker that died holding a claim), quiet hours, digests, suppressions and the SSRF guard.
 */
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
let rx: ReceiversHandle;
let cfg: NotifyConfig;
const KEY = randomBytes(32).toString("base64");
const HMAC_SECRET = `whsec_${randomBytes(32).toString("base64url")}`;
let partnerId: string;
let customerId: string;
let channel: { email: string; teams: string; webhook: string };

before(async () => {
  database = await createMigratedDatabase("notify");
  prisma = createPrismaClient(database.url);
  rx = await startReceivers();
  cfg = parseNotifyConfig({
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(rx.smtpPort),
    SMTP_REQUIRE_TLS: "false",
    NOTIFY_ENCRYPTION_KEY: KEY,
    NOTIFY_ALLOWED_PRIVATE_URLS: rx.httpUrl,
    NOTIFY_RETRY_BASE_MS: "10",
    NOTIFY_RETRY_MAX_MS: "100",
    NOTIFY_SEND_TIMEOUT_MS: "700",
    NOTIFY_LEASE_SECONDS: "5",
    NOTIFY_MAX_ATTEMPTS: "4",
    NEXTAUTH_URL: "http://localhost:3999",
  });
  partnerId = randomUUID();
  await prisma.partner.create({ data: { id: partnerId, name: "Notify MSSP", entraTenantId: randomUUID() } });
  customerId = randomUUID();
  await prisma.customer.create({
    data: { id: customerId, partnerId, displayName: "Fabrikam <b>Bank</b>", region: "eu", status: "CONSENTED", tenantId: randomUUID() },
  });
  const mk = async (kind: string, secret: { url?: string; hmacSecret?: string } | null, recipients: string[] = []) => {
    const id = randomUUID();
    await prisma.notificationChannel.create({
      data: {
        id,
        partnerId,
        name: `${kind} ${id.slice(0, 6)}`,
        kind,
        recipients,
        secretSealed: secret ? sealChannelSecret(cfg.encryptionKey, id, secret) : null,
      },
    });
    return id;
  };
  channel = {
    email: await mk("email", null, ["soc@notify.example"]),
    teams: await mk("teams", { url: `${rx.httpUrl}/hooks/teams` }),
    webhook: await mk("webhook", { url: `${rx.httpUrl}/hooks/psa`, hmacSecret: HMAC_SECRET }),
  };
});
after(async () => {
  await rx?.close();
  await prisma?.$disconnect();
  await database?.drop();
});
afterEach(async () => {
  rx.reset();
  await prisma.notificationDelivery.deleteMany({});
  await prisma.notificationRule.deleteMany({});
  await prisma.notificationSuppression.deleteMany({});
});

async function incident(title: string, severity = "high") {
  const id = randomUUID();
  const now = new Date();
  await prisma.incident.create({
    data: {
      id,
      customerId,
      source: "graph",
      sourceId: String(Math.floor(Math.random() * 1e9)),
      title,
      severity,
      status: "active",
      createdTime: now,
      lastUpdateTime: now,
      payload: {},
      syncedAt: now,
    },
  });
  return id;
}
async function rule(
  over: Partial<{
    channelIds: string[];
    kinds: string[];
    minSeverity: string;
    quietStart: string;
    quietEnd: string;
    timeZone: string;
    digestMinutes: number;
  }> = {},
) {
  return prisma.notificationRule.create({
    data: { partnerId, name: `r${randomUUID().slice(0, 8)}`, kinds: ["incident.created"], minSeverity: "high", channelIds: [channel.webhook], ...over },
  });
}
async function event(incidentId: string, kind = "incident.created") {
  await prisma.notificationEvent.create({ data: { partnerId, customerId, incidentId, kind, detail: {} } });
}
const deps = (now?: Date) => ({ config: cfg, ...(now ? { now: () => now } : {}) });
/** Runs delivery rounds until nothing is due before `until` (each round at the later of now and the next attempt). */
async function drain(rounds = 10) {
  for (let i = 0; i < rounds; i++) {
    const next = await prisma.notificationDelivery.findFirst({ where: { status: { in: ["pending", "held"] } }, orderBy: { nextAttemptAt: "asc" } });
    if (!next) return;
    const wait = next.nextAttemptAt.getTime() - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, 3_000)));
    await deliverDue(prisma, deps());
  }
}

/** A receiver's own verification, written apart from lib/notify/signature.ts as a PSA would write it. */
function receiverVerifies(secret: string, headers: Record<string, string>, rawBody: string): boolean {
  const ts = headers["x-portal-timestamp"] ?? "";
  const given = (headers["x-portal-signature"] ?? "").replace(/^v1=/, "");
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const mac = createHmac("sha256", secret)
    .update(ts + "." + rawBody, "utf8")
    .digest();
  const g = Buffer.from(given, "hex");
  return g.length === mac.length && timingSafeEqual(g, mac);
}

describe("dispatch and delivery", () => {
  test("a new high incident reaches e-mail, Teams and the webhook once each; a second event for it adds nothing", async () => {
    await rule({ channelIds: [channel.email, channel.teams, channel.webhook] });
    const id = await incident("Ransomware on FIN-01");
    await event(id);
    await event(id); // the same news twice (a replayed sync): still one delivery per channel
    const low = await incident("Low noise", "low");
    await event(low);
    const d = await dispatchPending(prisma);
    assert.equal(d.events, 3);
    assert.equal(await prisma.notificationDelivery.count(), 3);
    assert.equal(await prisma.notificationEvent.count({ where: { dispatchedAt: null } }), 0, "events stamped in the same transaction");
    assert.equal((await dispatchPending(prisma)).events, 0);
    const { metrics } = await import("../../lib/ops/metrics.ts");
    const delivered = async (channel: string) =>
      (await metrics().notificationDeliveries.get()).values.find((v) => v.labels.channel === channel && v.labels.outcome === "delivered")?.value ?? 0;
    const before = { email: await delivered("email"), webhook: await delivered("webhook"), teams: await delivered("teams") };
    const r = await deliverDue(prisma, deps());
    assert.equal(r.delivered, 3);
    // The deliveries metric (portal_notification_deliveries_total{channel,outcome}) counts each send.
    assert.equal((await delivered("email")) - before.email, 1);
    assert.equal((await delivered("teams")) + (await delivered("webhook")) - before.teams - before.webhook, 2);
    assert.equal(rx.mails.length, 1);
    assert.match(rx.mails[0]!.subject, /Ransomware on FIN-01/);
    assert.equal(rx.webhooks.length, 2);
    const hook = rx.webhooks.find((w) => w.path === "/hooks/psa")!;
    const body = JSON.parse(hook.body) as { version: string; id: string; type: string; events: { incident: { title: string } }[] };
    assert.equal(body.version, "1");
    assert.equal(body.type, "incident.created");
    assert.equal(body.events[0]!.incident.title, "Ransomware on FIN-01");
    assert.equal(hook.deliveryId, body.id);
    const card = JSON.parse(rx.webhooks.find((w) => w.path === "/hooks/teams")!.body) as { type: string; attachments: { contentType: string }[] };
    assert.equal(card.type, "message");
    assert.equal(card.attachments[0]!.contentType, "application/vnd.microsoft.card.adaptive");
    const rows = await prisma.notificationDelivery.findMany();
    assert.ok(rows.every((x) => x.status === "delivered" && x.attempts === 1 && x.latencyMs !== null && x.lastStatusCode !== null));
    assert.deepEqual(rows.map((x) => x.lastStatusCode).sort(), [200, 200, 250]);
  });

  test("the signature verifies with a separate implementation, and fails for a changed body or another secret", async () => {
    await rule();
    await event(await incident("Signed"));
    await dispatchPending(prisma);
    await deliverDue(prisma, deps());
    const hook = rx.webhooks[0]!;
    assert.match(hook.headers["x-portal-signature"]!, /^v1=[0-9a-f]{64}$/);
    assert.ok(receiverVerifies(HMAC_SECRET, hook.headers, hook.body));
    assert.ok(!receiverVerifies(HMAC_SECRET, hook.headers, hook.body.replace("Signed", "Signe")));
    assert.ok(!receiverVerifies(`whsec_${randomBytes(32).toString("base64url")}`, hook.headers, hook.body));
  });

  test("500 and 502, then OK: delivered on the third attempt, once at the receiver", async () => {
    await rule();
    rx.faults.push({ status: 500 }, { status: 502 });
    await event(await incident("Flaky receiver"));
    await dispatchPending(prisma);
    await drain();
    const row = await prisma.notificationDelivery.findFirstOrThrow();
    assert.equal(row.status, "delivered");
    assert.equal(row.attempts, 3);
    assert.equal(rx.webhooks.length, 1);
    assert.equal(rx.stats.webhookPosts, 3);
  });

  test("429 with Retry-After: the next attempt waits at least that long", async () => {
    await rule();
    rx.faults.push({ status: 429, retryAfter: "2" });
    await event(await incident("Throttled"));
    await dispatchPending(prisma);
    const before = Date.now();
    await deliverDue(prisma, deps());
    const row = await prisma.notificationDelivery.findFirstOrThrow();
    assert.equal(row.status, "pending");
    assert.equal(row.lastStatusCode, 429);
    assert.ok(row.nextAttemptAt.getTime() - before >= 1900, `waits ${row.nextAttemptAt.getTime() - before} ms`);
    await drain();
    assert.equal((await prisma.notificationDelivery.findFirstOrThrow()).status, "delivered");
    assert.equal(rx.webhooks.length, 1);
  });

  test("a timeout (unknown outcome) is retried with the same delivery id: the receiver keeps one", async () => {
    await rule();
    rx.faults.push({ delayMs: 1_200 }); // answers after the sender gave up (700 ms) — and records the message
    await event(await incident("Slow receiver"));
    await dispatchPending(prisma);
    await deliverDue(prisma, deps());
    const first = await prisma.notificationDelivery.findFirstOrThrow();
    assert.equal(first.status, "pending");
    assert.equal(first.lastStatusCode, null);
    await new Promise((r) => setTimeout(r, 700));
    await drain();
    assert.equal((await prisma.notificationDelivery.findFirstOrThrow()).status, "delivered");
    assert.equal(rx.webhooks.length, 1, "one distinct delivery");
    assert.equal(rx.stats.webhookDuplicates, 1, "the retry was recognised by its id");
  });

  test("a worker killed holding a claim: the lease expires, another worker re-takes it and delivers once", async () => {
    await rule();
    await event(await incident("Killed mid-delivery"));
    await dispatchPending(prisma);
    const claimed = await claimDue(prisma, cfg.leaseMs, 10); // ... and the worker dies here, before sending
    assert.equal(claimed.length, 1);
    assert.equal((await deliverDue(prisma, deps())).claimed, 0, "the live lease keeps others off");
    const later = new Date(Date.now() + cfg.leaseMs + 1_000);
    const r = await deliverDue(prisma, deps(later));
    assert.equal(r.delivered, 1);
    const row = await prisma.notificationDelivery.findFirstOrThrow();
    assert.equal(row.attempts, 2);
    assert.equal(rx.webhooks.length, 1);
    assert.equal(rx.webhooks[0]!.deliveryId, row.id);
  });

  test("after the attempt limit the delivery is failed, with the last answer recorded", async () => {
    await rule();
    for (let i = 0; i < 6; i++) rx.faults.push({ status: 503 });
    await event(await incident("Always down"));
    await dispatchPending(prisma);
    await drain();
    const row = await prisma.notificationDelivery.findFirstOrThrow();
    assert.equal(row.status, "failed");
    assert.equal(row.attempts, 4);
    assert.equal(row.lastStatusCode, 503);
    assert.equal(rx.webhooks.length, 0);
  });
});

describe("rules", () => {
  test("quiet hours hold a delivery until they end, then it goes", async () => {
    const now = new Date();
    const hh = (d: Date) => d.toISOString().slice(11, 16);
    // Quiet from an hour ago to two hours from now, in UTC.
    await rule({ quietStart: hh(new Date(now.getTime() - 3_600_000)), quietEnd: hh(new Date(now.getTime() + 7_200_000)), timeZone: "UTC" });
    await event(await incident("At night"));
    await dispatchPending(prisma);
    const held = await prisma.notificationDelivery.findFirstOrThrow();
    assert.equal(held.status, "held");
    assert.match(held.heldReason ?? "", /quiet hours/);
    const end = held.nextAttemptAt.getTime();
    assert.ok(end > now.getTime() + 7_000_000 && end <= now.getTime() + 7_200_000, new Date(end).toISOString());
    assert.equal((await deliverDue(prisma, deps())).claimed, 0, "nothing sent during quiet hours");
    assert.equal(rx.webhooks.length, 0);
    assert.equal((await deliverDue(prisma, deps(new Date(end + 1000)))).delivered, 1, "sent when they end");
    assert.equal(rx.webhooks.length, 1);
  });

  test("a digest bundles the window's events into one message; each row is delivered", async () => {
    await rule({ digestMinutes: 5 });
    for (const t of ["One", "Two", "Three"]) await event(await incident(`Digest ${t}`));
    await dispatchPending(prisma);
    const rows = await prisma.notificationDelivery.findMany();
    assert.equal(rows.length, 3);
    assert.equal(new Set(rows.map((r) => r.bundleKey)).size, 1);
    assert.ok(rows.every((r) => r.status === "held"));
    const end = rows[0]!.nextAttemptAt;
    assert.equal((await deliverDue(prisma, deps())).claimed, 0);
    const r = await deliverDue(prisma, deps(new Date(end.getTime() + 1)));
    assert.equal(r.delivered, 3);
    assert.equal(rx.webhooks.length, 1);
    const body = JSON.parse(rx.webhooks[0]!.body) as { type: string; events: unknown[] };
    assert.equal(body.type, "digest");
    assert.equal(body.events.length, 3);
  });

  test("a suppression matching the title: nothing is sent, the row says suppressed by whom", async () => {
    await rule();
    const s = await prisma.notificationSuppression.create({
      data: {
        partnerId,
        customerIds: [customerId],
        titleContains: "PEN TEST",
        until: new Date(Date.now() + 86_400_000),
        reason: "Red team week",
        createdByName: "Ada",
      },
    });
    await event(await incident("Scheduled pen test: mimikatz"));
    await event(await incident("Real ransomware"));
    await dispatchPending(prisma);
    await deliverDue(prisma, deps());
    const rows = await prisma.notificationDelivery.findMany({ orderBy: { createdAt: "asc" } });
    assert.deepEqual(rows.map((r) => r.status).sort(), ["delivered", "suppressed"]);
    assert.equal(rows.find((r) => r.status === "suppressed")!.suppressionId, s.id);
    assert.equal(rx.webhooks.length, 1);
    assert.match(rx.webhooks[0]!.body, /Real ransomware/);
  });

  test("an event of another kind or below the rule's severity matches nothing", async () => {
    await rule({ minSeverity: "high", kinds: ["incident.reopened"] });
    await event(await incident("Medium new", "medium"));
    await event(await incident("High new", "high"));
    await dispatchPending(prisma);
    assert.equal(await prisma.notificationDelivery.count(), 0);
  });

  test("device response actions: a device.action rule hears the sent and the ended state once each, whatever the incident's severity or title", async () => {
    await rule({ kinds: ["device.action"], minSeverity: "high", channelIds: [channel.email, channel.webhook] });
    await rule({ kinds: ["incident.created"], minSeverity: "informational" }); // hears none of it
    // A title suppression silences incident events, not a person's response action on that incident.
    await prisma.notificationSuppression.create({
      data: { partnerId, titleContains: "pen test", until: new Date(Date.now() + 86_400_000), reason: "Red team week", createdByName: "Ada" },
    });
    const incidentId = await incident("Pen test host", "low");
    const actionId = randomUUID();
    const device = { deviceActionId: actionId, type: "Isolate", options: { IsolationType: "Full" }, machineId: "a".repeat(40), deviceName: "FIN-01 <b>x</b>" };
    const detail = { ...device, comment: "Ransomware", requestedByEmail: "ari@contoso.example" };
    // As lib/data/device-actions.ts writes them: one per phase, deduplicated by key (a second writer adds nothing).
    for (const [phase, status] of [
      ["submitted", "Pending"],
      ["final", "Succeeded"],
      ["final", "Succeeded"],
    ] as const) {
      await prisma.notificationEvent.createMany({
        data: [
          { partnerId, customerId, incidentId, kind: "device.action", dedupeKey: `device.action:${actionId}:${phase}`, detail: { ...detail, phase, status } },
        ],
        skipDuplicates: true,
      });
    }
    assert.equal((await dispatchPending(prisma)).events, 2);
    assert.equal(await prisma.notificationDelivery.count(), 4, "two states × two channels");
    await deliverDue(prisma, deps());
    const rows = await prisma.notificationDelivery.findMany();
    assert.ok(rows.every((r) => r.status === "delivered" && r.eventKind === "device.action"));
    const subjects = rx.mails.map((m) => m.subject).sort();
    assert.deepEqual(subjects, ["Isolate (Full) Succeeded: FIN-01 <b>x</b>", "Isolate (Full) sent: FIN-01 <b>x</b>"]);
    const bodies = rx.webhooks.map((w) => JSON.parse(w.body) as { type: string; events: { kind: string; detail: { status: string; deviceName: string } }[] });
    assert.deepEqual(bodies.map((b) => b.type).sort(), ["device.action", "device.action"]);
    assert.deepEqual(bodies.map((b) => b.events[0]!.detail.status).sort(), ["Pending", "Succeeded"]);
    assert.ok(bodies.every((b) => b.events[0]!.detail.deviceName === "FIN-01 <b>x</b>"));
  });

  test("the unassigned scanner raises an incident once per threshold, however often it runs", async () => {
    await rule({ kinds: ["incident.unassigned"], minSeverity: "informational" });
    await prisma.notificationRule.updateMany({ data: { unassignedMinutes: 30 } });
    const id = await incident("Nobody took me");
    await prisma.incident.update({ where: { id }, data: { createdTime: new Date(Date.now() - 45 * 60_000) } });
    assert.equal(await scanConditions(prisma), 1);
    assert.equal(await scanConditions(prisma), 0);
    await dispatchPending(prisma);
    assert.equal(await prisma.notificationDelivery.count({ where: { incidentId: id, eventKind: "incident.unassigned" } }), 1);
  });
});

describe("health scanners", () => {
  test("consent revoked and sync failing for N minutes are raised once each, for the rules that ask", async () => {
    await rule({ kinds: ["customer.consent_revoked", "customer.sync_failing"], minSeverity: "high" });
    await prisma.notificationRule.updateMany({ data: { syncFailingMinutes: 15 } });
    const c2 = randomUUID();
    await prisma.customer.create({ data: { id: c2, partnerId, displayName: "Revoked Ltd", region: "eu", status: "REVOKED", tenantId: randomUUID() } });
    const c3 = randomUUID();
    const now = Date.now();
    await prisma.customer.create({ data: { id: c3, partnerId, displayName: "Failing Ltd", region: "eu", status: "CONSENTED", tenantId: randomUUID() } });
    await prisma.syncState.create({
      data: {
        customerId: c3,
        feed: "incidents",
        source: "graph",
        lastSuccessAt: new Date(now - 20 * 60_000),
        lastErrorAt: new Date(now - 60_000),
        lastError: "HTTP 503",
      },
    });
    // Failing for only 5 minutes: not yet.
    const c4 = randomUUID();
    await prisma.customer.create({ data: { id: c4, partnerId, displayName: "Blip Ltd", region: "eu", status: "CONSENTED", tenantId: randomUUID() } });
    await prisma.syncState.create({
      data: {
        customerId: c4,
        feed: "incidents",
        source: "graph",
        lastSuccessAt: new Date(now - 5 * 60_000),
        lastErrorAt: new Date(now - 60_000),
        lastError: "HTTP 503",
      },
    });
    assert.equal(await scanConditions(prisma), 2);
    assert.equal(await scanConditions(prisma), 0, "raised once");
    await dispatchPending(prisma);
    await deliverDue(prisma, deps());
    const rows = await prisma.notificationDelivery.findMany({ select: { customerId: true, eventKind: true, status: true } });
    assert.deepEqual(rows.map((r) => `${r.customerId === c2 ? "revoked" : r.customerId === c3 ? "failing" : "?"}:${r.eventKind}:${r.status}`).sort(), [
      "failing:customer.sync_failing:delivered",
      "revoked:customer.consent_revoked:delivered",
    ]);
    const bodies = rx.webhooks.map((w) => JSON.parse(w.body) as { events: { kind: string; incident: unknown; customer: { name: string } }[] });
    assert.ok(bodies.every((b) => b.events[0]!.incident === null));
    assert.deepEqual(bodies.map((b) => b.events[0]!.customer.name).sort(), ["Failing Ltd", "Revoked Ltd"]);
    await prisma.syncState.deleteMany({});
    await prisma.customer.deleteMany({ where: { id: { in: [c2, c3, c4] } } });
  });
});

describe("SSRF guard", () => {
  const none: string[] = [];
  const fakeDns =
    (address: string): Resolver =>
    async () => [{ address, family: address.includes(":") ? 6 : 4 }];

  test("private, loopback, link-local, metadata and local names are refused at save time", async () => {
    for (const url of [
      "https://127.0.0.1/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://[fd00:ec2::254]/",
      "https://[::1]/",
      "https://[::ffff:127.0.0.1]/",
      "https://[::ffff:a9fe:a9fe]/",
      "https://10.1.2.3/",
      "https://192.168.0.10/",
      "https://localhost/hook",
      "https://0.0.0.0/",
    ]) {
      await assert.rejects(checkTargetUrl(url, none, fakeDns("93.184.216.34")), UrlRefusedError, url);
    }
    await assert.rejects(checkTargetUrl("http://hooks.example.com/x", none, fakeDns("93.184.216.34")), /https/);
    await assert.rejects(checkTargetUrl("https://user:pw@hooks.example.com/x", none, fakeDns("93.184.216.34")), /password/);
    // A public-looking name that resolves to a private address.
    await assert.rejects(checkTargetUrl("https://hooks.example.com/x", none, fakeDns("10.0.0.7")), /resolves to 10\.0\.0\.7/);
    await assert.rejects(checkTargetUrl("https://hooks.example.com/x", none, fakeDns("fd12::1")), /resolves to fd12::1/);
    assert.equal((await checkTargetUrl("https://hooks.example.com/x", none, fakeDns("93.184.216.34"))).allowlisted, false);
    // The demo's own receiver: allowed by its exact origin only.
    assert.equal((await checkTargetUrl(`${rx.httpUrl}/hooks/x`, [rx.httpUrl])).allowlisted, true);
    await assert.rejects(checkTargetUrl(`${rx.httpUrl.replace(/:\d+$/, ":1")}/hooks/x`, [rx.httpUrl]), UrlRefusedError);
  });

  test("at send time a name that now resolves to loopback (DNS rebinding) is refused and no request is sent", async () => {
    const port = new URL(rx.httpUrl).port;
    const r = await postJson(
      `https://rebind.example:${port}/hooks/x`,
      "{}",
      {},
      { allowedPrivateOrigins: [rx.httpUrl], timeoutMs: 1000, resolver: fakeDns("127.0.0.1") },
    );
    assert.equal(r.refused, true);
    assert.equal(r.status, null);
    assert.match(r.error ?? "", /127\.0\.0\.1/);
    const literal = await postJson(`http://127.0.0.1:${port}/hooks/x`, "{}", {}, { allowedPrivateOrigins: [], timeoutMs: 1000 });
    assert.equal(literal.refused, true);
    assert.equal(rx.stats.webhookPosts, 0, "nothing reached the receiver");
  });
});
