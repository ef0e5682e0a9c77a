import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { SimulatorHandle } from "../../simulator/server.ts";
import { startSimulatedBackend } from "../support/backend.ts";
import type { createMigratedDatabase } from "../support/db.ts";
import { SimControl, uniqueTenantName } from "../support/sim-control.ts";
import type { PrismaClient } from "../../lib/db/client.ts";
import type { DataSource } from "../../lib/sync/model.ts";

/**
 * Sync against a real PostgreSQL and the simulator's Defender and Graph APIs, through real MSAL: incremental runs,
 * idempotent reruns, crash safety, throttling and 5xx, a revoked tenant among healthy ones, token reuse.
 */
const clientId = randomUUID();
const clientSecret = randomBytes(24).toString("base64url");
let sim: SimulatorHandle;
let control: SimControl;
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
let partnerId: string;
let mods: {
  run: typeof import("../../lib/sync/run.ts");
  tokens: typeof import("../../lib/microsoft/token-client.ts");
  api: typeof import("../../lib/microsoft/api-client.ts");
};

before(async () => {
  ({ database, sim, control, prisma, partnerId } = await startSimulatedBackend({
    label: "sync",
    clientId,
    clientSecret,
    defender: { incidentsPerTenant: 30, quotas: true },
  }));
  mods = {
    run: await import("../../lib/sync/run.ts"),
    tokens: await import("../../lib/microsoft/token-client.ts"),
    api: await import("../../lib/microsoft/api-client.ts"),
  };
});
after(async () => {
  await prisma?.$disconnect();
  await sim?.close();
  await database?.drop();
});

function deps(source: DataSource, opts: { tokens?: InstanceType<typeof mods.tokens.TenantTokenClient> } = {}) {
  const tokens =
    opts.tokens ?? new mods.tokens.TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: clientSecret } });
  // No real waiting on Retry-After or backoff in tests: the behaviour is the same, the clock is not.
  const api = new mods.api.MicrosoftApiClient({ tokens, baseUrl: sim.url, sleep: async () => {}, timeoutMs: 2_000 });
  return { prisma, tokens, api, source, intervalMinutes: 5 };
}

async function consentedCustomer(label: string, region: "global" | "us" | "eu" | "uk" | "au" | "swa" | "ina" = "eu") {
  const t = await control.createTenant(uniqueTenantName(label));
  await control.grantConsent(t.id);
  const id = randomUUID();
  await prisma.customer.create({ data: { id, partnerId, displayName: t.displayName, region, tenantId: t.id, status: "CONSENTED" } });
  return { id, tenantId: t.id };
}

type Truth = { incidentId: number | string; lastUpdateTime: string; alertIds?: string[] }[];
async function truth(tenantId: string): Promise<Truth> {
  const body = (await control.incidents(tenantId)) as Truth | { incidents: Truth } | { value: Truth };
  return Array.isArray(body) ? body : "incidents" in body ? body.incidents : body.value;
}

async function storeMatchesTruth(customerId: string, tenantId: string, source: DataSource) {
  const t = await truth(tenantId);
  const rows = await prisma.incident.findMany({ where: { customerId, source }, select: { sourceId: true, lastUpdateTime: true } });
  assert.equal(rows.length, t.length, "no incident lost or duplicated");
  const byId = new Map(rows.map((r) => [r.sourceId, r.lastUpdateTime.getTime()]));
  for (const i of t) assert.equal(byId.get(String(i.incidentId)), new Date(i.lastUpdateTime).getTime(), `incident ${i.incidentId} is current`);
}

for (const source of ["graph", "defender"] as const) {
  describe(`sync from ${source}`, () => {
    test("full sync stores every incident; a rerun writes nothing; an incremental run fetches only changes", async () => {
      const c = await consentedCustomer(`Full-${source}`);
      const d = deps(source);
      const first = await mods.run.runFeedSync(d, c.id, "incidents");
      assert.ok(first.ok, JSON.stringify(first.error));
      assert.ok(first.rowsChanged > 0);
      await storeMatchesTruth(c.id, c.tenantId, source);
      const alerts = await mods.run.runFeedSync(d, c.id, "alerts");
      assert.ok(alerts.ok, JSON.stringify(alerts.error));

      const rerun = await mods.run.runFeedSync(d, c.id, "incidents");
      assert.ok(rerun.ok);
      assert.equal(rerun.rowsChanged, 0, "nothing changed, nothing written");
      assert.equal(rerun.apiCalls, 1, "one API call when nothing changed");

      await control.tick(c.tenantId, { create: 2, update: 3 });
      const incremental = await mods.run.runFeedSync(d, c.id, "incidents");
      assert.ok(incremental.ok);
      assert.ok(incremental.fetched <= 10, `fetched only the changes (+ the boundary), got ${incremental.fetched}`);
      assert.ok(incremental.rowsChanged >= 5);
      await storeMatchesTruth(c.id, c.tenantId, source);

      const full = await mods.run.runFeedSync(d, c.id, "incidents", { full: true });
      assert.ok(full.ok);
      assert.equal(full.rowsChanged, 0, "a full resync of unchanged data writes nothing");
    });

    test("a crash between fetch and commit loses nothing and duplicates nothing", async () => {
      const c = await consentedCustomer(`Crash-${source}`);
      const d = deps(source);
      const original = prisma.$transaction.bind(prisma);
      let crashed = false;
      const crashing = new Proxy(prisma, {
        get(target, prop, receiver) {
          if (prop === "$transaction") {
            return async (fn: (tx: unknown) => Promise<unknown>, o?: unknown) =>
              original(async (tx) => {
                await fn(tx);
                crashed = true;
                throw new Error("simulated crash before commit");
              }, o as never);
          }
          return Reflect.get(target, prop, receiver);
        },
      });
      const r = await mods.run.runFeedSync({ ...d, prisma: crashing }, c.id, "incidents");
      assert.equal(crashed, true);
      assert.equal(r.ok, false);
      assert.equal(await prisma.incident.count({ where: { customerId: c.id } }), 0, "rolled back");
      const state = await prisma.syncState.findUniqueOrThrow({ where: { customerId_feed: { customerId: c.id, feed: "incidents" } } });
      assert.equal(state.cursor, null, "cursor did not advance");
      const again = await mods.run.runFeedSync(d, c.id, "incidents");
      assert.ok(again.ok);
      await storeMatchesTruth(c.id, c.tenantId, source);
    });

    test("a backlog larger than one store batch is stored batch by batch; a crash in the last batch moves no cursor and loses nothing", async () => {
      const c = await consentedCustomer(`Batches-${source}`);
      // 430 incidents with their alerts: more rows than one batch (STORE_BATCH_ROWS), so the run commits several times, the
      // last with some of them.
      await control.setVolume(c.tenantId, 430);
      const d = deps(source);
      const original = prisma.$transaction.bind(prisma);
      let transactions = 0;
      let storedBeforeCrash = 0;
      const crashingLast = new Proxy(prisma, {
        get(target, prop, receiver) {
          if (prop === "$transaction") {
            return async (fn: (tx: unknown) => Promise<unknown>, o?: unknown) =>
              original(async (tx) => {
                const result = await fn(tx);
                transactions += 1;
                // The last batch is the one that moves the cursor: crash it before its commit.
                const moved = await (tx as PrismaClient).syncState.findUnique({ where: { customerId_feed: { customerId: c.id, feed: "incidents" } } });
                if (moved?.lastSuccessAt) {
                  storedBeforeCrash = await prisma.incident.count({ where: { customerId: c.id } });
                  throw new Error("simulated crash before the last commit");
                }
                return result;
              }, o as never);
          }
          return Reflect.get(target, prop, receiver);
        },
      });
      const r = await mods.run.runFeedSync({ ...d, prisma: crashingLast }, c.id, "incidents");
      assert.equal(r.ok, false);
      assert.ok(transactions >= 2, `stored in ${transactions} transactions`);
      const truthCount = (await truth(c.tenantId)).length;
      assert.ok(storedBeforeCrash > 0 && storedBeforeCrash < truthCount, `earlier batches committed (${storedBeforeCrash} of ${truthCount})`);
      const state = await prisma.syncState.findUniqueOrThrow({ where: { customerId_feed: { customerId: c.id, feed: "incidents" } } });
      assert.equal(state.cursor, null, "cursor did not advance");
      assert.equal(state.lastSuccessAt, null);
      const again = await mods.run.runFeedSync(d, c.id, "incidents");
      assert.ok(again.ok, JSON.stringify(again.error));
      await storeMatchesTruth(c.id, c.tenantId, source);
      const alerts = await prisma.alert.groupBy({ by: ["sourceId"], where: { customerId: c.id }, _count: true, having: { sourceId: { _count: { gt: 1 } } } });
      assert.deepEqual(alerts, [], "no alert stored twice");
    });

    test("both enum casings land canonical: the same data spelled the other way stores identical rows", async () => {
      const c = await consentedCustomer(`Casing-${source}`);
      await control.injectIncident(c.tenantId, { title: "Tagged by the customer", tags: ["Finance", "VIP", "Finance"], severity: "Medium" });
      const d = deps(source);
      const snapshot = async () => ({
        incidents: await prisma.incident.findMany({
          where: { customerId: c.id },
          orderBy: { sourceId: "asc" },
          select: { sourceId: true, title: true, severity: true, status: true, classification: true, determination: true, tags: true },
        }),
        alerts: await prisma.alert.findMany({
          where: { customerId: c.id },
          orderBy: { sourceId: "asc" },
          select: { sourceId: true, severity: true, status: true, classification: true, determination: true },
        }),
      });
      const syncAll = async () => {
        for (const feed of ["incidents", "alerts"] as const) {
          const r = await mods.run.runFeedSync(d, c.id, feed, { full: true });
          assert.ok(r.ok, JSON.stringify(r.error));
        }
      };
      await syncAll();
      const documented = await snapshot();
      const canon = await import("../../lib/shared/canonical.ts");
      for (const i of documented.incidents) {
        assert.ok((canon.SEVERITIES as readonly string[]).includes(i.severity), i.severity);
        assert.ok((canon.INCIDENT_STATUSES as readonly string[]).includes(i.status), i.status);
        assert.ok(i.classification === null || (canon.CLASSIFICATIONS as readonly string[]).includes(i.classification), String(i.classification));
        assert.ok(i.determination === null || (canon.DETERMINATIONS as readonly string[]).includes(i.determination), String(i.determination));
      }
      for (const a of documented.alerts) {
        assert.ok((canon.SEVERITIES as readonly string[]).includes(a.severity), a.severity);
        assert.ok((canon.ALERT_STATUSES as readonly string[]).includes(a.status), a.status);
        assert.ok(a.determination === null || (canon.DETERMINATIONS as readonly string[]).includes(a.determination), String(a.determination));
      }
      assert.deepEqual(documented.incidents.find((i) => i.title === "Tagged by the customer")?.tags, ["Finance", "VIP"]);

      // Now the same tenant answers in the other casing (Graph: PascalCase and `tags`, as its docs' examples do).
      await control.setSpelling(c.tenantId, source === "graph" ? { enumCase: "pascal", graphTags: "tags" } : { enumCase: "camel" });
      const target = { tenantId: c.tenantId, region: "eu" as const };
      const raw = (
        source === "graph"
          ? await d.api.getJson("graph", target, "/v1.0/security/incidents?$top=1&$expand=alerts")
          : await d.api.getJson("xdr", target, "/api/incidents?$top=1")
      ) as { value: Record<string, unknown>[] };
      assert.match(String(raw.value[0]!.severity), source === "graph" ? /^[A-Z]/ : /^[a-z]/, "the simulator really answers in the other casing");
      if (source === "graph") assert.ok("tags" in raw.value[0]! && !("customTags" in raw.value[0]!));
      await prisma.alert.deleteMany({ where: { customerId: c.id } });
      await prisma.incident.deleteMany({ where: { customerId: c.id } });
      await syncAll();
      assert.deepEqual(await snapshot(), documented);

      // And the severity filter's value finds exactly what Microsoft holds at that severity.
      const truthMedium = ((await control.incidents(c.tenantId)) as { incidents: { severity: string }[] }).incidents.filter(
        (i) => i.severity === "Medium",
      ).length;
      assert.ok(truthMedium > 0);
      assert.equal(await prisma.incident.count({ where: { customerId: c.id, severity: "medium" } }), truthMedium);
    });

    test("a 1 MB title, comment and command line are cut at ingest, marked, and the payload stays bounded", async () => {
      const c = await consentedCustomer(`Caps-${source}`);
      const MB = 1_048_000; // the simulator's control API takes up to 1 MiB per request
      await control.injectIncident(c.tenantId, { title: `Huge title ${"T".repeat(MB)}` });
      await control.injectIncident(c.tenantId, { alertTitle: `Huge alert ${"A".repeat(MB - 100)}` });
      await control.injectIncident(c.tenantId, { processCommandLine: `powershell -enc ${"C".repeat(MB)}` });
      await control.injectIncident(c.tenantId, { comments: [`Huge comment ${"M".repeat(MB - 100)}`] });
      const d = deps(source);
      for (const feed of ["incidents", "alerts"] as const) {
        const r = await mods.run.runFeedSync(d, c.id, feed);
        assert.ok(r.ok, JSON.stringify(r.error));
      }
      const { LIMITS, splitCut } = await import("../../lib/shared/caps.ts");
      const title = await prisma.incident.findFirstOrThrow({ where: { customerId: c.id, title: { startsWith: "Huge title " } }, select: { title: true } });
      assert.equal(title.title.length, LIMITS.title);
      assert.equal(splitCut(title.title).cut, MB + 11 - splitCut(title.title).text.length, "the marker names how much was cut");
      const alertTitle = await prisma.alert.findFirstOrThrow({ where: { customerId: c.id, title: { startsWith: "Huge alert " } }, select: { title: true } });
      assert.equal(alertTitle.title.length, LIMITS.title);
      assert.match(alertTitle.title, /… \[cut: \d+ characters\]$/);

      const withComment = await prisma.incident.findMany({ where: { customerId: c.id }, select: { payload: true } });
      const comments = withComment
        .flatMap((i) => (i.payload as { comments: { comment: string }[] }).comments.map((x) => x.comment))
        .filter((x) => x.startsWith("Huge comment "));
      assert.equal(comments.length, 1);
      assert.equal(comments[0]!.length, LIMITS.comment);
      assert.notEqual(splitCut(comments[0]!).cut, null);

      // The command line, in every stored copy of the alert (incident feed and alerts feed).
      const alerts = await prisma.alert.findMany({ where: { customerId: c.id }, select: { payload: true } });
      const commandLines = alerts.flatMap((a) =>
        (a.payload as { evidence: { fields: Record<string, string> }[] }).evidence.flatMap((e) =>
          Object.entries(e.fields)
            .filter(([k]) => /commandline$/i.test(k))
            .map(([, v]) => v),
        ),
      );
      const huge = commandLines.filter((v) => v.startsWith("powershell -enc CCCC"));
      assert.ok(huge.length > 0, "the injected command line was stored");
      for (const v of huge) {
        assert.equal(v.length, LIMITS.commandLine);
        assert.notEqual(splitCut(v).cut, null);
      }
      const sizes = await prisma.$queryRaw<{ max: number }[]>`
        SELECT max(octet_length(payload::text))::int AS max FROM (SELECT payload FROM "Incident" WHERE "customerId" = ${c.id}::uuid UNION ALL SELECT payload FROM "Alert" WHERE "customerId" = ${c.id}::uuid) p`;
      assert.ok(sizes[0]!.max < 300_000, `largest stored payload is ${sizes[0]!.max} bytes`);
    });

    test("429 storms and 5xx are ridden out", async () => {
      const c = await consentedCustomer(`Faults-${source}`);
      await control.setFaults(c.tenantId, { throttleRate: 0.3, errorRate: 0.2 });
      const r = await mods.run.runFeedSync(deps(source), c.id, "incidents");
      await control.setFaults(c.tenantId, {});
      assert.ok(r.ok, JSON.stringify(r.error));
      await storeMatchesTruth(c.id, c.tenantId, source);
    });
  });
}

test("a revoked tenant is flagged in plain words and the others finish", async () => {
  const healthy = [await consentedCustomer("Healthy1"), await consentedCustomer("Healthy2")];
  const revoked = await consentedCustomer("Revoked");
  await control.revokeConsent(revoked.tenantId);
  const d = deps("graph");
  const results = await Promise.all([...healthy, revoked].map((c) => mods.run.runFeedSync(d, c.id, "incidents")));
  assert.deepEqual(
    results.map((r) => r.ok),
    [true, true, false],
  );
  const c = await prisma.customer.findUniqueOrThrow({ where: { id: revoked.id } });
  assert.equal(c.status, "REVOKED");
  assert.match(c.statusReason!, /Consent was revoked.*AADSTS700016/);
  const state = await prisma.syncState.findUniqueOrThrow({ where: { customerId_feed: { customerId: revoked.id, feed: "incidents" } } });
  assert.equal(state.lastErrorCode, "AADSTS700016");
});

test("one token request per tenant per resource over two full syncs (counted by the simulator)", async () => {
  const customers = [await consentedCustomer("Tok1"), await consentedCustomer("Tok2"), await consentedCustomer("Tok3")];
  const d = deps("graph");
  await control.resetRequests();
  for (let round = 0; round < 2; round++) {
    for (const c of customers) for (const feed of ["incidents", "alerts"] as const) assert.ok((await mods.run.runFeedSync(d, c.id, feed, { full: true })).ok);
  }
  const counts = await control.requests();
  for (const c of customers) assert.equal(counts["token:https://graph.microsoft.com"]?.[c.tenantId], 1, `tenant ${c.tenantId}`);
});

test("a customer without a known region is read from the global host", async () => {
  const c = await consentedCustomer("Region-global", "global");
  await control.resetRequests();
  assert.ok((await mods.run.runFeedSync(deps("defender"), c.id, "incidents")).ok);
  const counts = await control.requests();
  assert.ok((counts["host:api.security.microsoft.com"]?.[c.tenantId] ?? 0) > 0);
});

test("each customer's Defender data is read from its region's host", async () => {
  const regions = ["us", "eu", "uk", "au", "swa", "ina"] as const;
  const customers = await Promise.all(regions.map((r) => consentedCustomer(`Region-${r}`, r)));
  const d = deps("defender");
  await control.resetRequests();
  for (const c of customers) for (const feed of ["incidents", "alerts"] as const) assert.ok((await mods.run.runFeedSync(d, c.id, feed)).ok);
  const counts = await control.requests();
  regions.forEach((r, i) => {
    const tenantId = customers[i]!.tenantId;
    assert.ok((counts[`host:${r}.api.security.microsoft.com`]?.[tenantId] ?? 0) > 0, `${r} customer read from ${r}.api.security.microsoft.com`);
    for (const other of regions.filter((o) => o !== r)) assert.equal(counts[`host:${other}.api.security.microsoft.com`]?.[tenantId], undefined);
    assert.equal(counts["host:api.security.microsoft.com"]?.[tenantId], undefined, "never the global host for a regional customer");
  });
});

test("an incident returned twice in one run (pages shifted while paging) is stored once, newest copy", async () => {
  const c = await consentedCustomer("Dupes");
  const { upsertIncidents } = await import("../../lib/sync/store.ts");
  const base = {
    sourceId: "4242",
    title: "Old title",
    severity: "high",
    status: "active",
    classification: null,
    determination: null,
    assignedTo: null,
    tags: [],
    alertCount: 0,
    createdTime: new Date("2026-11-01T00:00:00Z"),
    lastUpdateTime: new Date("2026-11-02T00:00:00Z"),
    webUrl: null,
    payload: {},
    alerts: [],
  };
  const newer = { ...base, title: "New title", lastUpdateTime: new Date("2026-11-03T00:00:00Z") };
  await prisma.$transaction((tx) => upsertIncidents(tx, c.id, "graph", [base, newer, base], new Date()));
  const rows = await prisma.incident.findMany({ where: { customerId: c.id } });
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.title, "New title");
});

test("a permission removed in the customer's tenant shows within one sync cycle, with the time it went missing", async () => {
  const c = await consentedCustomer("Drift");
  const required = ["https://graph.microsoft.com/SecurityIncident.Read.All", "https://graph.microsoft.com/SecurityAlert.Read.All"];
  // One cycle of a millisecond: every run is a new cycle, so every run asks Entra for a token of its own.
  const cycle = { ...deps("graph"), intervalMinutes: 1 / 60_000, requiredRoles: required };
  assert.ok((await mods.run.runFeedSync(cycle, c.id, "incidents")).ok);
  const first = await prisma.customer.findUniqueOrThrow({ where: { id: c.id } });
  assert.ok(first.grantedRoles.includes("https://graph.microsoft.com/SecurityAlert.Read.All"));
  assert.equal(first.permissionsMissingSince, null);
  assert.ok(first.permissionsCheckedAt);

  await control.setRoles(c.tenantId, "https://graph.microsoft.com", ["SecurityIncident.Read.All"]);
  await new Promise((r) => setTimeout(r, 5));
  assert.ok((await mods.run.runFeedSync(cycle, c.id, "incidents")).ok, "the incidents feed still has its role");
  const after = await prisma.customer.findUniqueOrThrow({ where: { id: c.id } });
  assert.ok(!after.grantedRoles.includes("https://graph.microsoft.com/SecurityAlert.Read.All"));
  assert.ok(after.permissionsMissingSince, "missing since the run that saw it");
  const audit = await prisma.auditEntry.findFirstOrThrow({ where: { customerId: c.id, action: "permissions.changed" }, orderBy: { id: "desc" } });
  assert.deepEqual((audit.detail as { removed: string[] }).removed, ["https://graph.microsoft.com/SecurityAlert.Read.All"]);

  // Granted again: shows as granted on the next cycle, and the gap closes.
  await control.setRoles(c.tenantId, "https://graph.microsoft.com", ["SecurityIncident.Read.All", "SecurityAlert.Read.All", "ThreatHunting.Read.All"]);
  await new Promise((r) => setTimeout(r, 5));
  assert.ok((await mods.run.runFeedSync(cycle, c.id, "alerts")).ok);
  const restored = await prisma.customer.findUniqueOrThrow({ where: { id: c.id } });
  assert.ok(restored.grantedRoles.includes("https://graph.microsoft.com/ThreatHunting.Read.All"));
  assert.equal(restored.permissionsMissingSince, null);
});

test("the sync records each observed change, acknowledgement and resolution, and announces only news (not a first sync's backlog)", async () => {
  const c = await consentedCustomer("Changes");
  const d = deps("defender");
  assert.ok((await mods.run.runFeedSync(d, c.id, "incidents")).ok);
  const stored = await prisma.incident.count({ where: { customerId: c.id } });
  assert.equal(await prisma.notificationEvent.count({ where: { customerId: c.id } }), 0, "a new customer's backlog is not news");
  assert.equal(await prisma.incidentChange.count({ where: { customerId: c.id, field: "created" } }), stored, "every first observation is in the history");

  const injected = (await control.injectIncident(c.tenantId, { title: "Fresh incident", status: "Active", assignedTo: null })) as { incidentId: number };
  assert.ok((await mods.run.runFeedSync(d, c.id, "incidents")).ok);
  const fresh = await prisma.incident.findFirstOrThrow({ where: { customerId: c.id, sourceId: String(injected.incidentId) } });
  const created = await prisma.notificationEvent.findMany({ where: { customerId: c.id } });
  assert.deepEqual(
    created.map((e) => [e.kind, e.incidentId]),
    [["incident.created", fresh.id]],
  );
  assert.equal(fresh.acknowledgedAt, null);

  // Microsoft's copy changes (as if an analyst resolved it in Defender), then it is reopened.
  const target = { tenantId: c.tenantId, region: "eu" as const };
  await control.setRoles(c.tenantId, "https://api.security.microsoft.com", ["Incident.Read.All", "Incident.ReadWrite.All"]);
  const writer = deps("defender");
  await writer.api.patchJson("xdr", target, `/api/incidents/${injected.incidentId}`, {
    status: "Resolved",
    classification: "FalsePositive",
    determination: "Clean",
  });
  assert.ok((await mods.run.runFeedSync(d, c.id, "incidents")).ok);
  const resolved = await prisma.incident.findUniqueOrThrow({ where: { id: fresh.id } });
  assert.ok(resolved.acknowledgedAt && resolved.resolvedAt, "a resolution acknowledges and resolves");
  assert.ok(resolved.resolvedAt.getTime() <= resolved.syncedAt.getTime());
  const fields = (await prisma.incidentChange.findMany({ where: { incidentId: fresh.id, origin: "microsoft" }, orderBy: { id: "asc" } })).map((ch) => [
    ch.field,
    ch.oldValue,
    ch.newValue,
  ]);
  assert.deepEqual(fields, [
    ["created", null, "active"],
    ["status", "active", "resolved"],
    ["classification", "unknown", "falsePositive"],
    ["determination", "unknown", "clean"],
  ]);

  await writer.api.patchJson("xdr", target, `/api/incidents/${injected.incidentId}`, { status: "Active" });
  assert.ok((await mods.run.runFeedSync(d, c.id, "incidents")).ok);
  const reopened = await prisma.incident.findUniqueOrThrow({ where: { id: fresh.id } });
  assert.equal(reopened.resolvedAt, null, "reopening clears the resolution");
  assert.equal(reopened.acknowledgedAt?.getTime(), resolved.acknowledgedAt.getTime(), "the first acknowledgement stays");
  assert.deepEqual(
    (await prisma.notificationEvent.findMany({ where: { customerId: c.id }, orderBy: { id: "asc" } })).map((e) => e.kind),
    ["incident.created", "incident.reopened"],
  );
});
