import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createMigratedDatabase } from "../support/db.ts";
import type { PrismaClient } from "../../lib/db/client.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";

/**
 * Issue #9 §4 and §5 against a real PostgreSQL: the anonymous rate limit (atomic across instances, per client, XFF
 * believed only from trusted proxies, nothing written past the limit), retention, and literal LIKE searches.
 */
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
const LIMIT = 5;

before(async () => {
  database = await createMigratedDatabase("hardening");
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    NEXTAUTH_URL: "http://localhost:3999",
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    ENTRA_PARTNER_TENANT_ID: randomUUID(),
    ENTRA_CLIENT_ID: randomUUID(),
    ENTRA_CLIENT_SECRET: "not-used-here",
    ANON_RATE_LIMIT_PER_MINUTE: String(LIMIT),
  });
  delete process.env.TRUSTED_PROXIES;
  prisma = (await import("../../lib/db/client.ts")).db();
});
after(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

const SOCKET = "x-portal-socket-address";

describe("anonymous rate limit", () => {
  test("a flood from one client is refused after the limit; another client is unaffected", async () => {
    const { countRequest } = await import("../../lib/data/rate-limit.ts");
    const now = new Date("2026-12-01T10:00:30Z");
    const decisions = [];
    for (let i = 0; i < LIMIT + 3; i++) decisions.push(await countRequest(prisma, "callback:203.0.113.1", LIMIT, now));
    assert.deepEqual(
      decisions.map((d) => d.allowed),
      [...Array(LIMIT).fill(true), false, false, false],
    );
    assert.equal(decisions.at(-1)!.retryAfterSeconds, 30, "Retry-After is the rest of the minute");
    assert.equal((await countRequest(prisma, "callback:203.0.113.2", LIMIT, now)).allowed, true);
    // The next minute is a new window.
    assert.equal((await countRequest(prisma, "callback:203.0.113.1", LIMIT, new Date("2026-12-01T10:01:00Z"))).allowed, true);
  });

  test("the count is atomic across web instances: 40 concurrent requests through two clients, exactly the limit pass", async () => {
    const { countRequest } = await import("../../lib/data/rate-limit.ts");
    const { createPrismaClient } = await import("../../lib/db/client.ts");
    const other = createPrismaClient(database.url);
    try {
      const now = new Date();
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => countRequest(i % 2 ? other : prisma, "onboarding:198.51.100.9", LIMIT, now)));
      assert.equal(results.filter((r) => r.allowed).length, LIMIT);
      assert.deepEqual(
        results.map((r) => r.count).sort((a, b) => a - b),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
    } finally {
      await other.$disconnect();
    }
  });

  test("X-Forwarded-For is ignored without TRUSTED_PROXIES and believed from a trusted proxy only", async () => {
    const { clientAddress, parseTrustedProxies, UNKNOWN_CLIENT } = await import("../../lib/security/client-address.ts");
    const h = (socket: string | null, xff?: string) => new Headers({ ...(socket ? { [SOCKET]: socket } : {}), ...(xff ? { "x-forwarded-for": xff } : {}) });
    // No trusted proxies: the socket decides, whatever the client writes.
    assert.equal(clientAddress(h("203.0.113.7", "198.51.100.1"), null), "203.0.113.7");
    assert.equal(clientAddress(h("::ffff:203.0.113.7", "198.51.100.1"), null), "203.0.113.7");
    assert.equal(clientAddress(h(null, "198.51.100.1"), null), UNKNOWN_CLIENT);
    const trusted = parseTrustedProxies("10.0.0.0/8, 2001:db8::/32");
    // From a trusted proxy: the rightmost address that is not a trusted proxy.
    assert.equal(clientAddress(h("10.1.2.3", "198.51.100.1"), trusted), "198.51.100.1");
    assert.equal(
      clientAddress(h("10.1.2.3", "6.6.6.6, 198.51.100.1, 10.9.9.9"), trusted),
      "198.51.100.1",
      "a client-written entry on the left is not believed",
    );
    assert.equal(clientAddress(h("2001:db8::5", "[2001:db8:1::7]:443, 192.0.2.4:5555"), trusted), "192.0.2.4");
    assert.equal(clientAddress(h("10.1.2.3", "not-an-ip"), trusted), "10.1.2.3", "garbage stops the walk at the last trusted hop");
    // Not from a trusted proxy: its XFF is ignored even with the setting.
    assert.equal(clientAddress(h("203.0.113.7", "198.51.100.1"), trusted), "203.0.113.7");
    assert.throws(() => parseTrustedProxies("10.0.0.0/33"), /not an IP address or CIDR/);
    assert.throws(() => parseTrustedProxies("proxy.internal"), /not an IP address or CIDR/);
  });

  test("the consent callback answers 429 with Retry-After past the limit, and writes nothing but the counter", async () => {
    const { GET } = await import("../../app/consent/callback/route.ts");
    const { NextRequest } = await import("next/server");
    const call = (socket: string, xff?: string) =>
      GET(
        new NextRequest(`http://localhost:3999/consent/callback?admin_consent=True&tenant=${randomUUID()}&state=garbage`, {
          headers: { [SOCKET]: socket, ...(xff ? { "x-forwarded-for": xff } : {}) },
        }),
      );
    const rows = async () => ({ events: await prisma.consentEvent.count(), audit: await prisma.auditEntry.count() });
    let status = 0;
    let sent = 0;
    // Each request names another client in X-Forwarded-For: without TRUSTED_PROXIES that changes nothing.
    while (status !== 429 && sent < LIMIT + 2) status = (await call("192.0.2.50", `198.51.100.${sent++}`)).status;
    assert.equal(status, 429);
    assert.equal(sent, LIMIT + 1, "the request after the limit is the first refused");
    const before = await rows();
    const refused = await call("192.0.2.50", "198.51.100.200");
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/);
    assert.match(await refused.text(), /Too many requests/);
    assert.deepEqual(await rows(), before, "a refused request writes no ledger or audit row");
    // Another client still gets through.
    assert.notEqual((await call("192.0.2.51")).status, 429);
  });
});

describe("retention", () => {
  test("the purge deletes ledger and audit rows older than the retention, in batches, and keeps recent ones", async () => {
    const { purgeExpiredRecords } = await import("../../lib/data/retention.ts");
    const now = new Date("2026-12-01T03:17:00Z");
    const day = 86_400_000;
    const old = new Date(now.getTime() - 401 * day);
    const recent = new Date(now.getTime() - 399 * day);
    await prisma.consentEvent.deleteMany({});
    await prisma.auditEntry.deleteMany({});
    const event = (createdAt: Date, reason: string) => ({ id: randomUUID(), outcome: "REFUSED" as const, via: "LINK" as const, reason, createdAt });
    await prisma.consentEvent.createMany({ data: [...Array.from({ length: 7 }, () => event(old, "old")), event(recent, "recent")] });
    await prisma.auditEntry.createMany({
      data: [
        ...Array.from({ length: 5 }, () => ({ actor: "system", action: "old", createdAt: old })),
        { actor: "system", action: "recent", createdAt: recent },
      ],
    });
    const r = await purgeExpiredRecords(prisma, { retentionDays: 400, batchSize: 2, now });
    assert.equal(r.consentEvents, 7);
    assert.equal(r.auditEntries, 5);
    assert.deepEqual(
      (await prisma.consentEvent.findMany({ select: { reason: true } })).map((e) => e.reason),
      ["recent"],
    );
    assert.deepEqual(
      (await prisma.auditEntry.findMany({ select: { action: true } })).map((e) => e.action),
      ["recent"],
    );
  });

  test("the worker registers the daily purge as a pg-boss schedule", async () => {
    const { startSyncWorker, RETENTION_QUEUE, RETENTION_CRON } = await import("../../lib/sync/worker.ts");
    const worker = await startSyncWorker({ databaseUrl: database.url, concurrency: 1, schedulerIntervalMs: 60_000 });
    try {
      const schedules = await prisma.$queryRaw<{ name: string; cron: string; timezone: string }[]>`SELECT name, cron, timezone FROM pgboss.schedule`;
      assert.deepEqual(
        schedules.filter((s) => s.name === RETENTION_QUEUE),
        [{ name: RETENTION_QUEUE, cron: RETENTION_CRON, timezone: "UTC" }],
      );
    } finally {
      await worker.stop();
    }
  });
});

describe("search", () => {
  test("% _ and \\ in a search match themselves, not any text", async () => {
    const { currentPartner } = await import("../../lib/data/partner.ts");
    const { listIncidents } = await import("../../lib/data/incidents.ts");
    const { suggest } = await import("../../lib/data/search.ts");
    const { incidentFilters } = await import("../../lib/data/filters.ts");
    const partner = await currentPartner();
    const customerId = randomUUID();
    await prisma.customer.create({
      data: { id: customerId, partnerId: partner.id, displayName: "Like test", region: "eu", tenantId: randomUUID(), status: "CONSENTED" },
    });
    const titles = ["Disk 100% full", "Disk 1000 full", "run_me.exe seen", "runXme.exe seen", "C:\\temp\\x ran", "C:tempx ran"];
    const now = new Date();
    await prisma.incident.createMany({
      data: titles.map((title, i) => ({
        id: randomUUID(),
        customerId,
        source: "graph",
        sourceId: `like-${i}`,
        title,
        severity: "medium",
        status: "active",
        createdTime: now,
        lastUpdateTime: now,
        payload: {},
        syncedAt: now,
      })),
    });
    const viewer: Viewer = { userId: randomUUID(), partnerId: partner.id, name: "t", email: "t@x", role: "ADMIN", customerScope: "all" };
    const search = async (q: string) => (await listIncidents(viewer, incidentFilters.parse({ q, range: "all" }))).rows.map((r) => r.title).sort();
    assert.deepEqual(await search("100%"), ["Disk 100% full"]);
    assert.deepEqual(await search("run_me"), ["run_me.exe seen"]);
    assert.deepEqual(await search("C:\\temp"), ["C:\\temp\\x ran"]);
    assert.deepEqual(await search("%"), ["Disk 100% full"]);
    assert.deepEqual(
      (await suggest(viewer, "_m")).incidents.map((i) => i.title),
      ["run_me.exe seen"],
    );
  });

  test("page numbers are bounded: a huge page is clamped, garbage is the first page", async () => {
    const { incidentFilters, MAX_PAGE } = await import("../../lib/data/filters.ts");
    assert.equal(incidentFilters.parse({ page: "99999999999" }).page, MAX_PAGE);
    assert.equal(incidentFilters.parse({ page: "1e300" }).page, MAX_PAGE);
    assert.equal(incidentFilters.parse({ page: "-4" }).page, 1);
    assert.equal(incidentFilters.parse({ page: "abc" }).page, 1);
    assert.equal(incidentFilters.parse({}).page, 1);
    assert.equal(incidentFilters.parse({ page: "2.5" }).page, 2);
  });
});
