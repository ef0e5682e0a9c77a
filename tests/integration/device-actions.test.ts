import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { SimulatorHandle } from "../../simulator/server.ts";
import { startSimulatedBackend } from "../support/backend.ts";
import type { createMigratedDatabase } from "../support/db.ts";
import { SimControl, uniqueTenantName } from "../support/sim-control.ts";
import type { PrismaClient } from "../../lib/db/client.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";

/**
 * Device response actions against a real PostgreSQL and the simulator's machine-action API (real MSAL tokens): each
 * action sends the documented body and records Microsoft's action; status followed to Succeeded; the package link;
 * a missing permission, another customer's device, an analyst out of scope: refused without a call; Microsoft's 400
 * for a duplicate and its 429 shown as they come.
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
  actions: typeof import("../../lib/data/device-actions.ts");
};

const WDATP = "https://api.securitycenter.microsoft.com";
const ALL_RESPONSE = ["Machine.Read.All", "Machine.Isolate", "Machine.Scan", "Machine.CollectForensics"];

before(async () => {
  ({ database, sim, control, prisma, partnerId } = await startSimulatedBackend({
    label: "devact",
    seed: "device-action-tests",
    clientId,
    clientSecret,
    defender: { incidentsPerTenant: 8, quotas: true },
    appUrl: "http://localhost:3998",
  }));
  mods = {
    run: await import("../../lib/sync/run.ts"),
    tokens: await import("../../lib/microsoft/token-client.ts"),
    api: await import("../../lib/microsoft/api-client.ts"),
    actions: await import("../../lib/data/device-actions.ts"),
  };
  admin = await user("ADMIN", "admin@devact.test");
});
after(async () => {
  await prisma?.$disconnect();
  await sim?.close();
  await database?.drop();
});

/** A portal user and the viewer lib/auth/session.ts would build for them; `responder`: the Entra app role Portal.Responder. */
async function user(role: "ADMIN" | "ANALYST", email: string, customers: string[] = [], opts: { responder?: boolean } = {}): Promise<Viewer> {
  const id = randomUUID();
  await prisma.portalUser.create({
    data: {
      id,
      partnerId,
      entraObjectId: randomUUID(),
      email,
      displayName: email,
      role,
      roleSource: "entra-app-role",
      responderFromEntra: Boolean(opts.responder),
    },
  });
  for (const customerId of customers) await prisma.analystAssignment.create({ data: { userId: id, customerId } });
  return { userId: id, partnerId, name: email, email, role, customerScope: role === "ADMIN" ? "all" : customers, responder: Boolean(opts.responder) };
}

/** A consented customer with synced incidents; `granted` are the WindowsDefenderATP Machine.* roles it granted. */
async function customer(label: string, granted: string[]) {
  const t = await control.createTenant(uniqueTenantName(label));
  await control.grantConsent(t.id, {
    [WDATP]: ["Alert.Read.All", ...granted],
    "https://graph.microsoft.com": ["SecurityIncident.Read.All", "SecurityAlert.Read.All"],
  });
  await control.setMachineActionKnobs(t.id, { pendingMs: 150, runMs: 150 });
  const id = randomUUID();
  await prisma.customer.create({
    data: { id, partnerId, displayName: t.displayName, region: "eu", tenantId: t.id, status: "CONSENTED", grantedRoles: granted.map((r) => `${WDATP}/${r}`) },
  });
  const tokens = new mods.tokens.TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: clientSecret } });
  const api = new mods.api.MicrosoftApiClient({ tokens, baseUrl: sim.url, sleep: async () => {}, timeoutMs: 5_000 });
  const r = await mods.run.runFeedSync({ prisma, tokens, api, source: "graph", intervalMinutes: 5 }, id, "incidents");
  assert.ok(r.ok, JSON.stringify(r.error));
  // Incidents whose evidence names a device, with that device.
  const withDevices: { incidentId: string; machineId: string; name: string }[] = [];
  for (const inc of await prisma.incident.findMany({ where: { customerId: id }, select: { id: true, alerts: { select: { payload: true } } } })) {
    for (const a of inc.alerts) {
      const d = (a.payload as { devices?: { id: string | null; name: string | null }[] }).devices?.find((x) => x.id && /^[0-9a-f]{40}$/.test(x.id));
      if (d) {
        withDevices.push({ incidentId: inc.id, machineId: d.id!, name: d.name ?? d.id! });
        break;
      }
    }
  }
  assert.ok(withDevices.length >= 2, "the synced incidents name devices");
  return { id, tenantId: t.id, withDevices };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function requestsFor(machineId: string) {
  return (await control.machineActionRequests()).requests.filter((r) => r.path.includes(machineId));
}
async function followUntilFinal(viewer: Viewer, incidentId: string, machineId: string, type: string) {
  for (let i = 0; i < 40; i++) {
    const v = await mods.actions.getDeviceResponse(viewer, { incidentId }, { follow: true });
    const a = v!.devices.find((d) => d.machineId === machineId)!.actions.find((x) => x.type === type)!;
    if (a.final) return { action: a, view: v! };
    await sleep(100);
  }
  throw new Error("the action never became final");
}

test("isolate sends the documented body, records Microsoft's action, is audited and followed to Succeeded; release", async () => {
  const c = await customer("Isolate", ALL_RESPONSE);
  const { incidentId, machineId, name } = c.withDevices[0]!;
  const refusedName = await mods.actions.requestDeviceAction(
    admin,
    { incidentId },
    { action: "isolate", machineId, comment: "x", isolationType: "Full", confirmName: "wrong" },
  );
  assert.equal(refusedName.ok, false);
  assert.equal((await requestsFor(machineId)).length, 0, "isolation needs the device name typed: nothing sent");

  const r = await mods.actions.requestDeviceAction(
    admin,
    { incidentId },
    {
      action: "isolate",
      machineId,
      comment: "Isolating: ransomware alert",
      isolationType: "Selective",
      confirmName: name.toUpperCase(),
    },
  );
  assert.ok(r.ok, JSON.stringify(r));
  const atMicrosoft = (await control.machineActions(c.tenantId)).actions;
  assert.equal(atMicrosoft.length, 1);
  assert.deepEqual(atMicrosoft[0]!.body, { Comment: "Isolating: ransomware alert", IsolationType: "Selective" });
  const row = await prisma.deviceAction.findUniqueOrThrow({ where: { id: r.value.id } });
  assert.equal(row.microsoftActionId, atMicrosoft[0]!.id);
  assert.equal(row.type, "Isolate");
  assert.equal(row.customerId, c.id);
  assert.equal(row.incidentId, incidentId);
  assert.equal(row.requestedById, admin.userId);
  assert.deepEqual(row.options, { IsolationType: "Selective" });
  assert.equal(row.status, "Pending");
  const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "device.isolate", customerId: c.id } });
  const detail = audit.detail as Record<string, unknown>;
  assert.equal(detail.machineId, machineId);
  assert.equal(detail.result, "Pending");
  assert.doesNotMatch(JSON.stringify(detail), /eyJ|Bearer|secret/i, "no token or secret in the audit");

  const { action, view } = await followUntilFinal(admin, incidentId, machineId, "Isolate");
  assert.equal(action.status, "Succeeded");
  assert.equal(view.devices.find((d) => d.machineId === machineId)!.isolated, true);
  assert.equal((await control.machines(c.tenantId)).machines.find((m) => m.id === machineId)!.isolated, true);

  const rel = await mods.actions.requestDeviceAction(admin, { incidentId }, { action: "release", machineId, comment: "Clean after review" });
  assert.ok(rel.ok, JSON.stringify(rel));
  assert.equal((await followUntilFinal(admin, incidentId, machineId, "Unisolate")).action.status, "Succeeded");
  assert.equal((await control.machines(c.tenantId)).machines.find((m) => m.id === machineId)!.isolated, false);
  assert.deepEqual((await control.machineActions(c.tenantId)).actions[1]!.body, { Comment: "Clean after review" });
  assert.ok(await prisma.auditEntry.findFirst({ where: { action: "device.release", customerId: c.id } }));

  // Audited: who asked (actor), which device and customer, the comment, Microsoft's answer; the end state as well.
  const asked = await prisma.auditEntry.findFirstOrThrow({ where: { action: "device.isolate", customerId: c.id } });
  assert.equal(asked.actor, `user:${admin.userId}`);
  assert.equal((asked.detail as Record<string, unknown>).comment, "Isolating: ransomware alert");
  assert.equal((asked.detail as Record<string, unknown>).deviceName, name);
  assert.equal((asked.detail as Record<string, unknown>).requestedByEmail, admin.email);
  const ended = await prisma.auditEntry.findMany({ where: { action: "device.result", customerId: c.id }, orderBy: { id: "asc" } });
  assert.deepEqual(
    ended.map((e) => [(e.detail as Record<string, unknown>).type, (e.detail as Record<string, unknown>).result]),
    [
      ["Isolate", "Succeeded"],
      ["Unisolate", "Succeeded"],
    ],
  );
  assert.equal((ended[0]!.detail as Record<string, unknown>).comment, "Isolating: ransomware alert");
  // Notifications: the outbox holds the sent and the ended state of each action, once each, written with the state.
  const events = await prisma.notificationEvent.findMany({ where: { customerId: c.id, kind: "device.action" }, orderBy: { id: "asc" } });
  assert.deepEqual(
    events.map((e) => {
      const d = e.detail as Record<string, unknown>;
      return [d.type, d.phase, d.status];
    }),
    [
      ["Isolate", "submitted", "Pending"],
      ["Isolate", "final", "Succeeded"],
      ["Unisolate", "submitted", "Pending"],
      ["Unisolate", "final", "Succeeded"],
    ],
  );
  assert.ok(events.every((e) => e.partnerId === partnerId && e.incidentId === incidentId && e.dedupeKey?.startsWith("device.action:")));
  assert.equal((events[0]!.detail as Record<string, unknown>).deviceActionId, r.value.id);
  // Following an ended action again announces nothing more.
  await mods.actions.getDeviceResponse(admin, { incidentId }, { follow: true });
  assert.equal(await prisma.notificationEvent.count({ where: { customerId: c.id, kind: "device.action" } }), 4);
});

test("scan and investigation package: documented bodies; the package link fetched on request, never stored", async () => {
  const c = await customer("Scan", ALL_RESPONSE);
  const { incidentId, machineId } = c.withDevices[0]!;
  const scan = await mods.actions.requestDeviceAction(admin, { incidentId }, { action: "scan", machineId, comment: "Full scan please", scanType: "Full" });
  assert.ok(scan.ok, JSON.stringify(scan));
  const pkg = await mods.actions.requestDeviceAction(admin, { incidentId }, { action: "collect", machineId, comment: "Collect forensics" });
  assert.ok(pkg.ok, JSON.stringify(pkg));
  const bodies = (await control.machineActions(c.tenantId)).actions.map((a) => a.body);
  assert.deepEqual(bodies, [{ Comment: "Full scan please", ScanType: "Full" }, { Comment: "Collect forensics" }]);
  const early = await mods.actions.getPackageLink(admin, pkg.value.id);
  assert.equal(early.ok, false, "not ready before Succeeded");
  assert.equal((await followUntilFinal(admin, incidentId, machineId, "CollectInvestigationPackage")).action.status, "Succeeded");
  const link = await mods.actions.getPackageLink(admin, pkg.value.id);
  assert.ok(link.ok, JSON.stringify(link));
  assert.match(link.value.url, /^https:\/\/[^"]+WDATP_Investigation_Package\.zip\?token=/);
  // From the alert page: the alert's own devices, the same actions.
  const alerts = await prisma.alert.findMany({ where: { incidentId }, select: { id: true, payload: true } });
  const alert = alerts.find((a) => (a.payload as { devices?: { id: string | null }[] }).devices?.some((d) => d.id === machineId))!;
  assert.ok(alert, "the incident's alert names the device");
  const fromAlert = await mods.actions.getDeviceResponse(admin, { alertId: alert.id });
  assert.ok(fromAlert!.devices.some((d) => d.machineId === machineId));
  // The scan above is still Pending or done; a second scan from the alert page is Microsoft's to refuse or accept.
  const viaAlert = await mods.actions.requestDeviceAction(admin, { alertId: alert.id }, { action: "collect", machineId, comment: "from the alert" });
  assert.ok(viaAlert.ok || viaAlert.code === "ActiveRequestAlreadyExists", JSON.stringify(viaAlert));
  if (viaAlert.ok) assert.equal((await prisma.deviceAction.findUniqueOrThrow({ where: { id: viaAlert.value.id } })).alertId, alert.id);
  // A row left "Sending" (the process stopped mid-request) turns Unconfirmed, never resent.
  const stale = await prisma.deviceAction.create({
    data: {
      id: randomUUID(),
      customerId: c.id,
      incidentId,
      machineId,
      type: "RunAntiVirusScan",
      comment: "lost",
      requestedById: admin.userId,
      requestedByEmail: admin.email,
      createdAt: new Date(Date.now() - 10 * 60_000),
    },
  });
  await mods.actions.getDeviceResponse(admin, { incidentId });
  assert.equal((await prisma.deviceAction.findUniqueOrThrow({ where: { id: stale.id } })).status, "Unconfirmed");
  const stored = JSON.stringify(await prisma.deviceAction.findMany()) + JSON.stringify(await prisma.auditEntry.findMany({ select: { detail: true } }));
  assert.ok(!stored.includes("safedownload"), "the package link is not stored");
  assert.ok(await prisma.auditEntry.findFirst({ where: { action: "device.package_link", customerId: c.id } }));
  assert.ok(await prisma.auditEntry.findFirst({ where: { action: "device.scan", customerId: c.id } }));
  assert.ok(await prisma.auditEntry.findFirst({ where: { action: "device.collect_package", customerId: c.id } }));
});

test("a failing action is followed to Failed", async () => {
  const c = await customer("Fail", ALL_RESPONSE);
  const { incidentId, machineId } = c.withDevices[0]!;
  await control.setMachineActionKnobs(c.tenantId, { failNext: 1 });
  const r = await mods.actions.requestDeviceAction(admin, { incidentId }, { action: "scan", machineId, comment: "scan", scanType: "Quick" });
  assert.ok(r.ok);
  assert.equal((await followUntilFinal(admin, incidentId, machineId, "RunAntiVirusScan")).action.status, "Failed");
});

test("a duplicate while one is pending: Microsoft's 400 shown verbatim, recorded as not sent", async () => {
  const c = await customer("Dup", ALL_RESPONSE);
  await control.setMachineActionKnobs(c.tenantId, { pendingMs: 30_000, runMs: 1000 });
  const { incidentId, machineId } = c.withDevices[0]!;
  const first = await mods.actions.requestDeviceAction(admin, { incidentId }, { action: "scan", machineId, comment: "one", scanType: "Quick" });
  assert.ok(first.ok);
  const second = await mods.actions.requestDeviceAction(admin, { incidentId }, { action: "scan", machineId, comment: "two", scanType: "Quick" });
  assert.equal(second.ok, false);
  assert.ok(!second.ok);
  assert.equal(second.code, "ActiveRequestAlreadyExists");
  assert.match(second.formError!, /Action is already in progress \(HTTP 400, ActiveRequestAlreadyExists\)/);
  const rows = await prisma.deviceAction.findMany({ where: { customerId: c.id }, orderBy: { createdAt: "asc" } });
  assert.deepEqual(
    rows.map((r) => r.status),
    ["Pending", "NotSent"],
  );
  assert.match(rows[1]!.lastError!, /ActiveRequestAlreadyExists/);
  assert.equal((await control.machineActions(c.tenantId)).actions.length, 1);
});

test("Microsoft's 429 (quota spent elsewhere): the long Retry-After is not waited out, nothing is recorded at Microsoft", async () => {
  const c = await customer("Quota", ALL_RESPONSE);
  const { incidentId, machineId } = c.withDevices[0]!;
  // Spend the tenant's 100 calls a minute with a client of its own (not the portal's limiter).
  const tokens = new mods.tokens.TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: clientSecret } });
  const other = new mods.api.MicrosoftApiClient({ tokens, baseUrl: sim.url, sleep: async () => {}, timeoutMs: 5_000, maxThrottledRetries: 0 });
  for (let i = 0; i < 100; i++) await other.getJson("mde", { tenantId: c.tenantId, region: "eu" }, `/api/machineactions/${randomUUID()}`).catch(() => {});
  const r = await mods.actions.requestDeviceAction(admin, { incidentId }, { action: "scan", machineId, comment: "quota", scanType: "Quick" });
  assert.equal(r.ok, false);
  assert.ok(!r.ok);
  assert.equal(r.code, "TooManyRequests");
  assert.match(r.formError!, /HTTP 429/);
  assert.equal((await control.machineActions(c.tenantId)).actions.length, 0);
  await control.resetQuotas(c.tenantId);
  const again = await mods.actions.requestDeviceAction(admin, { incidentId }, { action: "scan", machineId, comment: "quota", scanType: "Quick" });
  assert.ok(again.ok, JSON.stringify(again));
});

test("missing permission, another customer's device, an analyst out of scope, a forged id: refused, nothing sent", async () => {
  const granted = await customer("Granted", ALL_RESPONSE);
  const noIsolate = await customer("NoIsolate", ["Machine.Read.All", "Machine.Scan"]);
  const { incidentId, machineId } = noIsolate.withDevices[0]!;
  const missing = await mods.actions.requestDeviceAction(
    admin,
    { incidentId },
    { action: "isolate", machineId, comment: "x", isolationType: "Full", confirmName: noIsolate.withDevices[0]!.name },
  );
  assert.ok(!missing.ok);
  assert.equal(missing.code, "missing_permission");
  assert.match(missing.formError!, /Machine\.Isolate/);
  const view = await mods.actions.getDeviceResponse(admin, { incidentId });
  assert.deepEqual(view!.missing.isolate, ["Machine.Isolate"]);
  assert.deepEqual(view!.missing.scan, []);

  // A machine of another customer on this customer's incident.
  const foreign = granted.withDevices[0]!;
  const cross = await mods.actions.requestDeviceAction(
    admin,
    { incidentId },
    { action: "scan", machineId: foreign.machineId, comment: "x", scanType: "Quick" },
  );
  assert.ok(!cross.ok);
  assert.equal(cross.code, "not_found");

  // An analyst who sees only `noIsolate` acts on `granted`'s incident and device.
  const analyst = await user("ANALYST", "analyst@devact.test", [noIsolate.id], { responder: true });
  const outside = await mods.actions.requestDeviceAction(
    analyst,
    { incidentId: foreign.incidentId },
    { action: "scan", machineId: foreign.machineId, comment: "x", scanType: "Quick" },
  );
  assert.ok(!outside.ok);
  assert.equal(outside.code, "not_found");
  assert.equal(await mods.actions.getDeviceResponse(analyst, { incidentId: foreign.incidentId }), null);
  const forged = await mods.actions.requestDeviceAction(
    analyst,
    { incidentId: randomUUID() },
    { action: "scan", machineId: foreign.machineId, comment: "x", scanType: "Quick" },
  );
  assert.ok(!forged.ok);

  // The package link of another customer's action is not found either.
  const pkg = await mods.actions.requestDeviceAction(
    admin,
    { incidentId: foreign.incidentId },
    { action: "collect", machineId: foreign.machineId, comment: "c" },
  );
  assert.ok(pkg.ok);
  const link = await mods.actions.getPackageLink(analyst, pkg.value.id);
  assert.ok(!link.ok);
  assert.equal(link.code, "not_found");

  assert.equal((await requestsFor(machineId)).length, 0, "nothing sent for the customer without the permission");
  assert.equal(
    (await requestsFor(foreign.machineId)).filter((r) => !r.path.includes("collectInvestigationPackage")).length,
    0,
    "nothing sent for the forged requests",
  );
  assert.equal(await prisma.deviceAction.count({ where: { customerId: noIsolate.id } }), 0);
});

test("an analyst without the Responder capability: disabled with the reason, a direct call refused (403), nothing sent; a partner admin's grant lets them act", async () => {
  const c = await customer("NoResponder", ALL_RESPONSE);
  const { incidentId, machineId, name } = c.withDevices[0]!;
  const plain = await user("ANALYST", "plain-analyst@devact.test", [c.id]);
  const view = await mods.actions.getDeviceResponse(plain, { incidentId });
  assert.equal(view!.canRespond, false);
  assert.match(view!.cannotRespondReason!, /You need the Responder permission.*ask a partner admin \(Settings → Users & access\)/);
  const receivedBefore = (await control.machineActionRequests()).requests.length;
  for (const fields of [
    { action: "isolate", machineId, comment: "x", isolationType: "Full", confirmName: name },
    { action: "scan", machineId, comment: "x", scanType: "Quick" },
    { action: "release", machineId, comment: "x" },
    { action: "collect", machineId, comment: "x" },
  ]) {
    await assert.rejects(mods.actions.requestDeviceAction(plain, { incidentId }, fields), (err: Error & { status?: number; code?: string }) => {
      assert.equal(err.name, "AccessDeniedError");
      assert.equal(err.status, 403);
      assert.match(err.message, /Responder permission/);
      return true;
    });
  }
  assert.equal((await control.machineActionRequests()).requests.length, receivedBefore, "nothing reached the simulator");
  assert.equal(await prisma.deviceAction.count({ where: { customerId: c.id } }), 0);
  assert.equal(await prisma.notificationEvent.count({ where: { customerId: c.id } }), 0);

  // A partner admin grants Responder on Users & access (audited); the viewer as session.ts builds it now carries it.
  const staff = await import("../../lib/data/staff.ts");
  const granted = await staff.setResponder(admin, { userId: plain.userId, granted: true });
  assert.ok(granted.ok, JSON.stringify(granted));
  assert.ok(await prisma.auditEntry.findFirst({ where: { action: "user.responder.granted", actor: `user:${admin.userId}` } }));
  const row = await prisma.portalUser.findUniqueOrThrow({ where: { id: plain.userId } });
  const { responderGranted } = await import("../../lib/auth/viewer.ts");
  const now: Viewer = { ...plain, responder: responderGranted(row) };
  assert.equal(now.responder, true);
  const r = await mods.actions.requestDeviceAction(now, { incidentId }, { action: "scan", machineId, comment: "granted now", scanType: "Quick" });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal((await control.machineActions(c.tenantId)).actions.length, 1);
  // Withdrawn: refused again. Another analyst may not grant it (users:manage).
  assert.ok((await staff.setResponder(admin, { userId: plain.userId, granted: false })).ok);
  assert.equal(responderGranted(await prisma.portalUser.findUniqueOrThrow({ where: { id: plain.userId } })), false);
  await assert.rejects(staff.setResponder(now, { userId: plain.userId, granted: true }), /access/i);
  assert.equal(responderGranted(await prisma.portalUser.findUniqueOrThrow({ where: { id: plain.userId } })), false);
});

test("a permission granted after the app token was cached: Microsoft's 403, then once more with a fresh token", async () => {
  const c = await customer("Upgrade", ["Machine.Read.All"]);
  const { incidentId, machineId } = c.withDevices[0]!;
  // The portal believes Machine.Scan is granted (the upgrade consent recorded it); Microsoft's token does not carry it yet.
  await prisma.customer.update({ where: { id: c.id }, data: { grantedRoles: { push: `${WDATP}/Machine.Scan` } } });
  const refused = await mods.actions.requestDeviceAction(admin, { incidentId }, { action: "scan", machineId, comment: "scan", scanType: "Quick" });
  assert.ok(!refused.ok);
  assert.equal(refused.code, "Forbidden");
  assert.match(refused.formError!, /Machine\.Scan.*HTTP 403/);
  await control.grantConsent(c.tenantId, { [WDATP]: ["Machine.Scan"] });
  const r = await mods.actions.requestDeviceAction(admin, { incidentId }, { action: "scan", machineId, comment: "scan", scanType: "Quick" });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal((await control.machineActions(c.tenantId)).actions.length, 1);
});
