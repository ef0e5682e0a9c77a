import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { SimulatorHandle } from "../../simulator/server.ts";
import { startSimulatedBackend } from "../support/backend.ts";
import type { createMigratedDatabase } from "../support/db.ts";
import { SimControl, uniqueTenantName } from "../support/sim-control.ts";
import type { PrismaClient } from "../../lib/db/client.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";
import type { DataSource } from "../../lib/sync/model.ts";

/**
 * Bulk triage against a real PostgreSQL and the simulator's incident API: a job over three customers (one without
 * Incident.ReadWrite.All, one incident Microsoft refuses), a crash after a PATCH and the run that follows (nothing
 * applied twice), a retry that resends only failed items, analyst scope, the 500 cap.
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
  run: typeof import("../../lib/sync/run.ts");
  tokens: typeof import("../../lib/microsoft/token-client.ts");
  api: typeof import("../../lib/microsoft/api-client.ts");
  bulk: typeof import("../../lib/data/bulk.ts");
  runner: typeof import("../../lib/bulk/run.ts");
  triage: typeof import("../../lib/data/triage.ts");
};
let api: InstanceType<typeof mods.api.MicrosoftApiClient>;

const XDR = "https://api.security.microsoft.com";
const READ_ROLES = {
  "https://api.securitycenter.microsoft.com": ["Alert.Read.All"],
  "https://graph.microsoft.com": ["SecurityIncident.Read.All", "SecurityAlert.Read.All"],
};

before(async () => {
  ({ database, sim, control, prisma, partnerId } = await startSimulatedBackend({
    label: "bulk",
    clientId,
    clientSecret,
    defender: { incidentsPerTenant: 6, quotas: true },
  }));
  mods = {
    run: await import("../../lib/sync/run.ts"),
    tokens: await import("../../lib/microsoft/token-client.ts"),
    api: await import("../../lib/microsoft/api-client.ts"),
    bulk: await import("../../lib/data/bulk.ts"),
    runner: await import("../../lib/bulk/run.ts"),
    triage: await import("../../lib/data/triage.ts"),
  };
  const tokens = new mods.tokens.TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: clientSecret } });
  api = new mods.api.MicrosoftApiClient({ tokens, baseUrl: sim.url, sleep: async () => {}, timeoutMs: 5_000 });
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

/** A consented customer whose incidents are synced from `source`; `triage` grants Incident.ReadWrite.All. */
async function customer(label: string, source: DataSource, triage: boolean) {
  const t = await control.createTenant(uniqueTenantName(label));
  await control.grantConsent(t.id, { [XDR]: triage ? ["Incident.Read.All", "Incident.ReadWrite.All"] : ["Incident.Read.All"], ...READ_ROLES });
  const id = randomUUID();
  await prisma.customer.create({
    data: {
      id,
      partnerId,
      displayName: t.displayName,
      region: "eu",
      tenantId: t.id,
      status: "CONSENTED",
      grantedRoles: triage ? [mods.triage.TRIAGE_ROLE] : [],
    },
  });
  const tokens = new mods.tokens.TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: clientSecret } });
  const syncApi = new mods.api.MicrosoftApiClient({ tokens, baseUrl: sim.url, sleep: async () => {}, timeoutMs: 5_000 });
  const r = await mods.run.runFeedSync({ prisma, tokens, api: syncApi, source, intervalMinutes: 5 }, id, "incidents");
  assert.ok(r.ok, JSON.stringify(r.error));
  const incidents = await prisma.incident.findMany({ where: { customerId: id }, orderBy: { sourceId: "asc" }, select: { id: true, sourceId: true } });
  return { id, tenantId: t.id, incidents };
}

type XdrIncident = { tags?: string[]; comments?: { comment: string }[]; status?: string; classification?: string; assignedTo?: string | null };
async function atMicrosoft(tenantId: string, sourceId: string): Promise<XdrIncident> {
  return (await api.getJson("xdr", { tenantId, region: "eu" }, `/api/incidents/${sourceId}`)) as XdrIncident;
}
const commentsOf = (i: XdrIncident, text: string) => (i.comments ?? []).filter((c) => c.comment === text).length;

async function patchCount(tenantId: string): Promise<number> {
  const r = await control.requests();
  return r["xdr.incidents.update"]?.[tenantId] ?? 0;
}

async function start(viewer: Viewer, fields: Record<string, string>, ids: string[] = []) {
  const r = await mods.bulk.createBulkJob(viewer, { fields, ids });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

const deps = (extra: Partial<import("../../lib/bulk/run.ts").BulkDeps> = {}) => ({ prisma, api, concurrency: 2, ...extra });

test("a job across three customers: done at Microsoft, skipped without Incident.ReadWrite.All (with the way to ask), failed with Microsoft's message", async () => {
  const a = await customer("Bulk A", "defender", true);
  const b = await customer("Bulk B", "graph", true);
  const c = await customer("Bulk C", "defender", false);
  // An incident the portal holds but Microsoft does not know (deleted there): Microsoft answers 404 with its message.
  const ghost = randomUUID();
  await prisma.incident.create({
    data: {
      id: ghost,
      customerId: a.id,
      source: "defender",
      sourceId: "987654",
      title: "Gone at Microsoft",
      severity: "high",
      status: "active",
      createdTime: new Date(),
      lastUpdateTime: new Date(),
      payload: {},
      syncedAt: new Date(),
    },
  });
  const ids = [...a.incidents.slice(0, 2), ...b.incidents.slice(0, 2), ...c.incidents.slice(0, 2)].map((i) => i.id).concat(ghost);
  const job = await start(
    admin,
    { status: "InProgress", assign: "me", classification: "TruePositive", determination: "Malware", tags: "bulk-tag, second", comment: "Bulk comment one" },
    ids,
  );
  assert.deepEqual([job.items, job.dropped], [7, 0]);
  const result = await mods.runner.runBulkJob(deps(), job.id);
  assert.deepEqual(result, { done: 4, skipped: 2, failed: 1, queued: 0 });

  const view = await mods.bulk.getBulkJob(admin, job.id);
  assert.equal(view?.status, "finished");
  const skipped = view!.items.filter((i) => i.status === "skipped");
  assert.equal(skipped.length, 2);
  assert.ok(
    skipped.every((i) => i.customerId === c.id && /Incident\.ReadWrite\.All/.test(i.message ?? "") && /additional-permissions link/.test(i.message ?? "")),
  );
  const failed = view!.items.find((i) => i.status === "failed");
  assert.equal(failed?.incidentId, ghost);
  assert.match(failed?.message ?? "", /Incident 987654 was not found.*HTTP 404, ResourceNotFound/);

  for (const [cust, list] of [
    [a, a.incidents.slice(0, 2)],
    [b, b.incidents.slice(0, 2)],
  ] as const) {
    for (const i of list) {
      const m = await atMicrosoft(cust.tenantId, i.sourceId);
      assert.deepEqual([m.status, m.classification, m.assignedTo], ["InProgress", "TruePositive", admin.email]);
      assert.ok(m.tags?.includes("bulk-tag") && m.tags.includes("second"), "tags added");
      assert.equal(commentsOf(m, "Bulk comment one"), 1);
      const stored = await prisma.incident.findUniqueOrThrow({ where: { id: i.id }, select: { status: true } });
      assert.equal(stored.status, "inProgress", "Microsoft's fresh copy stored");
      const changes = await prisma.incidentChange.findMany({ where: { incidentId: i.id, origin: "bulk" } });
      assert.ok(changes.length > 0 && changes.every((ch) => ch.actor === `user:${admin.userId}`), "change history records origin bulk");
    }
  }
  for (const i of c.incidents.slice(0, 2)) assert.equal(commentsOf(await atMicrosoft(c.tenantId, i.sourceId), "Bulk comment one"), 0, "skipped: nothing sent");

  const audit = await prisma.auditEntry.findMany({ where: { action: { startsWith: "bulk.triage" } }, orderBy: { id: "asc" } });
  const mine = audit.filter((e) => (e.detail as { jobId?: string }).jobId === job.id);
  assert.deepEqual(
    mine.map((e) => e.action),
    ["bulk.triage", "bulk.triage.finished"],
  );
  assert.equal((mine[0]!.detail as { items: number }).items, 7);
  assert.deepEqual((mine[1]!.detail as { done: number; skipped: number; failed: number }).done, 4);
  assert.ok(!JSON.stringify(mine[0]!.detail).includes("Bulk comment one"), "the comment's text is not copied into the audit");

  // Retrying the job resends its failed item only: done items are never sent again.
  const before = await patchCount(a.tenantId);
  const retried = await mods.bulk.retryBulkJob(admin, job.id);
  assert.ok(retried.ok, JSON.stringify(retried));
  const again = await mods.runner.runBulkJob(deps(), job.id);
  assert.deepEqual(again, { done: 4, skipped: 2, failed: 1, queued: 0 });
  assert.equal(await patchCount(a.tenantId), before, "no PATCH for done items (and the missing one is read, not resent)");
  for (const i of a.incidents.slice(0, 2)) assert.equal(commentsOf(await atMicrosoft(a.tenantId, i.sourceId), "Bulk comment one"), 1);
});

test("a crash after Microsoft accepted a PATCH: the next run reads Microsoft's copy and never adds the comment twice", async () => {
  const a = await customer("Bulk Crash", "defender", true);
  const ids = a.incidents.slice(0, 4).map((i) => i.id);
  const job = await start(admin, { status: "Resolved", classification: "FalsePositive", determination: "Clean", comment: "Closing as benign (bulk)" }, ids);
  let patched = 0;
  await assert.rejects(
    mods.runner.runBulkJob(
      deps({
        concurrency: 1,
        afterPatch: () => {
          patched += 1;
          if (patched === 2) throw new Error("simulated crash after the PATCH, before the item was recorded");
        },
      }),
      job.id,
    ),
    /simulated crash/,
  );
  const mid = await prisma.bulkJobItem.findMany({ where: { jobId: job.id }, orderBy: { sourceId: "asc" } });
  assert.deepEqual(
    mid.map((i) => [i.status, i.sentAt !== null]),
    [
      ["done", true],
      ["queued", true],
      ["queued", false],
      ["queued", false],
    ],
    "the second item was sent, its outcome never recorded",
  );
  const before = await patchCount(a.tenantId);
  const result = await mods.runner.runBulkJob(deps(), job.id);
  assert.deepEqual(result, { done: 4, skipped: 0, failed: 0, queued: 0 });
  // Item 2 again without its comment (status and classification are set, not appended), items 3 and 4 once.
  assert.equal((await patchCount(a.tenantId)) - before, 3);
  for (const i of a.incidents.slice(0, 4)) {
    const m = await atMicrosoft(a.tenantId, i.sourceId);
    assert.equal(commentsOf(m, "Closing as benign (bulk)"), 1, `incident ${i.sourceId}: the comment once`);
    assert.equal(m.status, "Resolved");
  }
  assert.equal((await prisma.bulkJob.findUniqueOrThrow({ where: { id: job.id } })).runs, 2);
});

test("analysts: ids of other customers are dropped with a message, jobs of others cannot be opened or retried", async () => {
  const mine = await customer("Bulk Mine", "defender", true);
  const other = await customer("Bulk Other", "defender", true);
  const analyst = await user("ANALYST", "analyst1@partner.test", [mine.id]);
  const second = await user("ANALYST", "analyst2@partner.test", [other.id]);
  const forged = [...mine.incidents.slice(0, 2), ...other.incidents.slice(0, 3)].map((i) => i.id);
  const r = await mods.bulk.createBulkJob(analyst, { fields: { status: "InProgress" }, ids: forged });
  assert.ok(r.ok);
  assert.deepEqual([r.value.items, r.value.dropped], [2, 3]);
  assert.match(r.message ?? "", /3 selected incident\(s\) are not of your customers/);
  const items = await prisma.bulkJobItem.findMany({ where: { jobId: r.value.id } });
  assert.ok(
    items.every((i) => i.customerId === mine.id),
    "no item of another customer was ever made",
  );

  const onlyOthers = await mods.bulk.createBulkJob(analyst, { fields: { status: "InProgress" }, ids: other.incidents.map((i) => i.id) });
  assert.equal(onlyOthers.ok, false);
  assert.equal(await prisma.bulkJob.count({ where: { createdById: analyst.userId } }), 1);

  assert.equal(await mods.bulk.getBulkJob(second, r.value.id), null, "another analyst cannot open it");
  assert.ok(!(await mods.bulk.listBulkJobs(second)).some((j) => j.id === r.value.id));
  assert.equal((await mods.bulk.retryBulkJob(second, r.value.id)).ok, false);
  assert.ok(await mods.bulk.getBulkJob(admin, r.value.id), "an admin of the partner can");

  // Scope is checked again when the job runs: an assignment removed in between skips that customer's items.
  await prisma.analystAssignment.deleteMany({ where: { userId: analyst.userId } });
  const result = await mods.runner.runBulkJob(deps(), r.value.id);
  assert.deepEqual(result, { done: 0, skipped: 2, failed: 0, queued: 0 });
});

test("at most 500 incidents per job: a filter matching more is refused with a clear message, a narrower one runs", async () => {
  const big = randomUUID();
  await prisma.customer.create({ data: { id: big, partnerId, displayName: "Bulk Big", region: "global", tenantId: randomUUID(), status: "CONSENTED" } });
  await prisma.$executeRaw`
    INSERT INTO "Incident" (id, "customerId", source, "sourceId", title, severity, status, "createdTime", "lastUpdateTime", payload, "syncedAt")
    SELECT gen_random_uuid(), ${big}::uuid, 'graph', n::text, CASE WHEN n % 10 = 0 THEN 'Tenth' ELSE 'Other' END, 'high', 'active',
           now() - n * interval '1 minute', now() - n * interval '1 minute', '{}'::jsonb, now()
    FROM generate_series(1, 501) AS n`;
  const tooMany = await mods.bulk.createBulkJob(admin, { fields: { status: "InProgress", selection: "filter", filter: `?customer=${big}` }, ids: [] });
  assert.equal(tooMany.ok, false);
  assert.equal(!tooMany.ok && tooMany.code, "too_many");
  assert.match(!tooMany.ok ? (tooMany.formError ?? "") : "", /more than 500 incidents/);
  assert.equal(await prisma.bulkJob.count({ where: { filter: `?customer=${big}` } }), 0);

  const narrow = await mods.bulk.createBulkJob(admin, { fields: { status: "InProgress", selection: "filter", filter: `?customer=${big}&q=tenth` }, ids: [] });
  assert.ok(narrow.ok, JSON.stringify(narrow));
  assert.equal(narrow.value.items, 50);

  const ids = (await prisma.incident.findMany({ where: { customerId: big }, select: { id: true } })).map((i) => i.id);
  const tooManyIds = await mods.bulk.createBulkJob(admin, { fields: { status: "InProgress" }, ids });
  assert.equal(tooManyIds.ok, false, "501 picked ids are refused too");
});

test("the worker's scheduler sends queued jobs once, and sends again a run whose worker stopped (stale heartbeat)", async () => {
  const { default: PgBoss } = await import("pg-boss");
  const queue = await import("../../lib/bulk/queue.ts");
  const boss = new PgBoss({ connectionString: database.url, max: 2, schedule: false, supervise: false });
  await boss.start();
  try {
    await queue.createBulkQueue(boss);
    // Jobs the other tests left queued are not this test's.
    await prisma.bulkJob.updateMany({ where: { status: { not: "finished" } }, data: { status: "finished" } });
    const a = await customer("Bulk Sweep", "defender", true);
    const job = await start(admin, { status: "InProgress" }, [a.incidents[0]!.id]);
    const queuedIds = async () => (await prisma.bulkJob.findMany({ where: { status: { in: ["queued", "running"] } }, select: { id: true } })).map((j) => j.id);
    assert.ok((await queuedIds()).includes(job.id));
    await queue.enqueueBulkJobs(prisma, boss);
    const first = (await prisma.bulkJob.findUniqueOrThrow({ where: { id: job.id } })).queueJobId;
    assert.ok(first, "sent to pg-boss");
    await queue.enqueueBulkJobs(prisma, boss);
    assert.equal((await prisma.bulkJob.findUniqueOrThrow({ where: { id: job.id } })).queueJobId, first, "a job waiting in the queue is not sent twice");

    // A worker took it and died: running, heartbeat older than the lease.
    await prisma.bulkJob.update({ where: { id: job.id }, data: { status: "running", heartbeatAt: new Date(Date.now() - queue.BULK_LEASE_MS - 1_000) } });
    const [taken] = await boss.fetch<{ jobId: string }>(queue.BULK_QUEUE);
    assert.equal(taken?.data.jobId, job.id);
    await queue.enqueueBulkJobs(prisma, boss);
    const second = (await prisma.bulkJob.findUniqueOrThrow({ where: { id: job.id } })).queueJobId;
    assert.ok(second && second !== first, "a run that lost its worker is sent again");
    assert.equal((await boss.getJobById(queue.BULK_QUEUE, first!))?.state, "cancelled");

    // A live run (fresh heartbeat) is left alone.
    await prisma.bulkJob.update({ where: { id: job.id }, data: { heartbeatAt: new Date() } });
    await boss.fetch(queue.BULK_QUEUE);
    await queue.enqueueBulkJobs(prisma, boss);
    assert.equal((await prisma.bulkJob.findUniqueOrThrow({ where: { id: job.id } })).queueJobId, second);
  } finally {
    await boss.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
  }
});
