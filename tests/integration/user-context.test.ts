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
 * User context (issue 13) through the data layer against a real PostgreSQL and the simulator: an analyst who is a guest
 * of the customer's tenant connects (authorization code + PKCE at the customer's authority), the sealed MSAL cache is
 * stored (ciphertext only), triage in "analyst" write mode runs with their token and Microsoft records them; a guest
 * without the Defender role gets the 403 in plain words and nothing changes; a user who is no guest gets AADSTS50020;
 * an analyst who is not connected changes nothing (no fallback to the app); disabling the analyst removes their tokens.
 */
const clientId = randomUUID();
const clientSecret = randomBytes(24).toString("base64url");
const appUrl = "http://localhost:3997";
const MTP = "https://api.security.microsoft.com";
const WDATP = "https://api.securitycenter.microsoft.com";
const GRAPH = "https://graph.microsoft.com";
let sim: SimulatorHandle;
let control: SimControl;
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
let partnerId: string;
let partnerDomain: string;
let admin: Viewer;
let customerId: string;
let tenantId: string;
let mods: {
  run: typeof import("../../lib/sync/run.ts");
  tokens: typeof import("../../lib/microsoft/token-client.ts");
  api: typeof import("../../lib/microsoft/api-client.ts");
  delegated: typeof import("../../lib/data/delegated.ts");
  triage: typeof import("../../lib/data/triage.ts");
  staff: typeof import("../../lib/data/staff.ts");
  sealed: typeof import("../../lib/crypto/sealed.ts");
  writeClient: typeof import("../../lib/microsoft/write-client.ts");
};
const KEY = randomBytes(32);

before(async () => {
  process.env.TOKEN_CACHE_ENCRYPTION_KEY = KEY.toString("base64");
  ({ database, sim, control, prisma, partnerId } = await startSimulatedBackend({
    label: "usercontext",
    seed: "user-context-tests",
    clientId,
    clientSecret,
    defender: { incidentsPerTenant: 6, quotas: false },
    appUrl,
  }));
  mods = {
    run: await import("../../lib/sync/run.ts"),
    tokens: await import("../../lib/microsoft/token-client.ts"),
    api: await import("../../lib/microsoft/api-client.ts"),
    delegated: await import("../../lib/data/delegated.ts"),
    triage: await import("../../lib/data/triage.ts"),
    staff: await import("../../lib/data/staff.ts"),
    sealed: await import("../../lib/crypto/sealed.ts"),
    writeClient: await import("../../lib/microsoft/write-client.ts"),
  };
  partnerDomain = sim.directory.partner.domain;
  admin = await user("ADMIN", `admin@${partnerDomain}`);

  const t = await control.createTenant(uniqueTenantName("UserCtx"));
  tenantId = t.id;
  await control.grantConsent(t.id, { [MTP]: ["Incident.Read.All"], [GRAPH]: ["SecurityIncident.Read.All", "SecurityAlert.Read.All"] });
  // The customer admin's consent for the delegated permissions, and the partner's analysts invited as guests.
  await sim_("PUT", `/_sim/tenants/${t.id}/scopes`, { resource: MTP, scopes: ["Incident.ReadWrite"] });
  await sim_("PUT", `/_sim/tenants/${t.id}/scopes`, {
    resource: WDATP,
    scopes: ["Machine.Read", "Machine.Isolate", "Machine.Scan", "Machine.CollectForensics"],
  });
  await sim_("PUT", `/_sim/tenants/${t.id}/guests/analyst@${partnerDomain}`, {
    defenderRoles: ["View data", "Alerts investigation", "Active remediation actions"],
  });
  await sim_("PUT", `/_sim/tenants/${t.id}/guests/analyst2@${partnerDomain}`, { defenderRoles: ["View data"] });
  customerId = randomUUID();
  await prisma.customer.create({
    data: {
      id: customerId,
      partnerId,
      displayName: t.displayName,
      region: "global",
      tenantId: t.id,
      status: "CONSENTED",
      grantedRoles: [`${MTP}/Incident.Read.All`],
    },
  });
  // Open incidents whatever the generator made of this (randomly named) tenant: the tests triage open ones.
  for (let i = 0; i < 4; i++) await control.injectIncident(t.id, { status: "Active", severity: "High", title: `User-context incident ${i + 1}` });
  const tokens = new mods.tokens.TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: clientSecret } });
  const api = new mods.api.MicrosoftApiClient({ tokens, baseUrl: sim.url, sleep: async () => {}, timeoutMs: 5_000 });
  const r = await mods.run.runFeedSync({ prisma, tokens, api, source: "defender", intervalMinutes: 5 }, customerId, "incidents");
  assert.ok(r.ok, JSON.stringify(r.error));
});
after(async () => {
  await prisma?.$disconnect();
  await sim?.close();
  await database?.drop();
});

async function sim_(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(res.status < 300, `${method} ${path} -> ${res.status}`);
  return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function user(role: "ADMIN" | "ANALYST", email: string): Promise<Viewer> {
  const id = randomUUID();
  // Analysts here are Responders (granted on Users & access): device actions are part of what they do as themselves.
  await prisma.portalUser.create({
    data: { id, partnerId, entraObjectId: randomUUID(), email, displayName: email, role, roleSource: "entra-app-role", responderGrantedAt: new Date() },
  });
  if (role === "ANALYST") await prisma.analystAssignment.create({ data: { userId: id, customerId } });
  return { userId: id, partnerId, name: email, email, role, customerScope: role === "ADMIN" ? "all" : [customerId], responder: true };
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The browser's part: Microsoft's account picker, then the redirect back to the portal's callback. */
async function signInAs(url: string, upn: string): Promise<Record<string, string>> {
  const page = await (await fetch(url, { redirect: "manual" })).text();
  for (const m of page.matchAll(/<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const button = /<button[^>]*>([\s\S]*?)<\/button>/.exec(m[2]!);
    if (!button || unescapeHtml(button[1]!) !== `Sign in as ${upn}`) continue;
    const fields: Record<string, string> = {};
    for (const i of m[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeHtml(i[1]!)] = unescapeHtml(i[2]!);
    const res = await fetch(new URL(unescapeHtml(m[1]!), sim.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    const back = new URL(res.headers.get("location")!);
    assert.equal(`${back.origin}${back.pathname}`, `${appUrl}/connect/callback`);
    return Object.fromEntries(back.searchParams);
  }
  throw new Error(`no account ${upn}`);
}

async function connect(viewer: Viewer, upn: string) {
  const started = await mods.delegated.startDelegatedConnect(viewer, customerId);
  assert.ok(started.ok, JSON.stringify(started));
  const authorize = new URL(started.value.url);
  assert.equal(authorize.pathname, `/${tenantId}/oauth2/v2.0/authorize`);
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  const query = await signInAs(started.value.url, upn);
  return mods.delegated.finishDelegatedConnect(viewer, query, started.value.cookie);
}

async function anIncident() {
  return prisma.incident.findFirstOrThrow({ where: { customerId, status: { not: "resolved" } }, select: { id: true, sourceId: true, status: true } });
}
/** Microsoft's record of the updates made to one incident, with who made them. */
const simIncident = async (sourceId: string): Promise<{ incidentId: number; actor: { type: string; name: string } }[]> =>
  (await sim_("GET", `/_sim/tenants/${tenantId}/defender/changes`)).filter((c: { incidentId: number }) => String(c.incidentId) === sourceId);

test("an analyst who is a guest connects; the cache is stored sealed; in analyst mode their triage is theirs at Microsoft", async () => {
  const analyst = await user("ANALYST", `analyst@${partnerDomain}`);
  const result = await connect(analyst, `analyst@${partnerDomain}`);
  assert.deepEqual(result, { customerId, outcome: "connected" });
  const row = await prisma.delegatedTokenCache.findUniqueOrThrow({ where: { userId_customerId: { userId: analyst.userId, customerId } } });
  assert.equal(row.username, `analyst@${partnerDomain}`);
  assert.match(row.ciphertext, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.doesNotMatch(row.ciphertext, /RefreshToken|AccessToken|secret/i);
  // It opens only under the key and with its own analyst and customer as associated data.
  const plain = mods.sealed.openValue(KEY, row.ciphertext, mods.writeClient.tokenCacheAad(analyst.userId, customerId));
  assert.ok(plain?.includes("RefreshToken"));
  assert.equal(mods.sealed.openValue(KEY, row.ciphertext, mods.writeClient.tokenCacheAad(admin.userId, customerId)), null);

  // Application mode: the app writes (the customer granted no Incident.ReadWrite.All, so triage is refused up front).
  const inc = await anIncident();
  const refused = await mods.triage.triageIncident(analyst, inc.id, { status: "InProgress" });
  assert.equal(refused.ok, false);

  assert.ok((await mods.delegated.setWriteMode(admin, customerId, { writeMode: "analyst" })).ok);
  const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "customer.write_mode", customerId } });
  assert.deepEqual(audit.detail, { from: "application", to: "analyst" });

  const done = await mods.triage.triageIncident(analyst, inc.id, { status: "InProgress", comment: "on it" });
  assert.ok(done.ok, JSON.stringify(done));
  const changes = await simIncident(inc.sourceId);
  assert.deepEqual(changes.at(-1)!.actor.name, `analyst@${partnerDomain}`);
  assert.equal(changes.at(-1)!.actor.type, "user");
  const history = await prisma.incidentChange.findMany({ where: { incidentId: inc.id, origin: "portal" } });
  assert.ok(history.length > 0);
  assert.ok(history.every((h) => h.writeContext === "delegated" && h.microsoftActor === `analyst@${partnerDomain}` && h.actor === `user:${analyst.userId}`));
  const triaged = await prisma.auditEntry.findFirstOrThrow({ where: { action: "incident.triaged", customerId }, orderBy: { id: "desc" } });
  assert.equal((triaged.detail as Record<string, unknown>).writeContext, "delegated");

  // Disabling the analyst removes their tokens.
  assert.ok((await mods.staff.disableUser(admin, { userId: analyst.userId })).ok);
  assert.equal(await prisma.delegatedTokenCache.count({ where: { userId: analyst.userId } }), 0);
});

test("a guest without the Defender role gets Microsoft's 403 in plain words, not retried as the app, and nothing changes", async () => {
  const analyst2 = await user("ANALYST", `analyst2@${partnerDomain}`);
  assert.equal((await connect(analyst2, `analyst2@${partnerDomain}`)).outcome, "connected");
  const inc = await anIncident();
  const before = (await simIncident(inc.sourceId)).length;
  const r = await mods.triage.triageIncident(analyst2, inc.id, { status: "Resolved", comment: "closing" });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, "analyst_forbidden");
  assert.match(!r.ok ? r.formError! : "", /Your account in .* \(analyst2@.*\) lacks the Microsoft Defender role permission for this: .*Alerts investigation/);
  assert.equal((await simIncident(inc.sourceId)).length, before);
  const stored = await prisma.incident.findUniqueOrThrow({ where: { id: inc.id }, select: { status: true } });
  assert.notEqual(stored.status, "resolved");
});

test("not a guest: AADSTS50020 comes back as not_in_tenant; not connected in analyst mode: nothing is sent", async () => {
  const outsider = await user("ANALYST", `norole@${partnerDomain}`);
  const r = await connect(outsider, `norole@${partnerDomain}`);
  assert.equal(r.outcome, "not_in_tenant");
  assert.equal(r.code, "AADSTS50020");
  assert.equal(await prisma.delegatedTokenCache.count({ where: { userId: outsider.userId } }), 0);

  const inc = await anIncident();
  const before = (await simIncident(inc.sourceId)).length;
  const refused = await mods.triage.triageIncident(admin, inc.id, { status: "Resolved" });
  assert.equal(!refused.ok && refused.code, "delegated_not_connected");
  assert.equal((await simIncident(inc.sourceId)).length, before);
});

test("a callback with another state, or for another analyst, stores nothing", async () => {
  const a = await user("ANALYST", `analyst@${partnerDomain}`);
  const started = await mods.delegated.startDelegatedConnect(a, customerId);
  assert.ok(started.ok);
  const query = await signInAs(started.value.url, `analyst@${partnerDomain}`);
  assert.equal((await mods.delegated.finishDelegatedConnect(a, { ...query, state: "forged" }, started.value.cookie)).outcome, "expired");
  const other = await user("ANALYST", `analyst@${partnerDomain}`);
  assert.equal((await mods.delegated.finishDelegatedConnect(other, query, started.value.cookie)).outcome, "expired");
  assert.equal(await prisma.delegatedTokenCache.count({ where: { userId: { in: [a.userId, other.userId] } } }), 0);
});

test("the additional-permissions link for user context asks for the delegated permissions, listed apart from application ones", async () => {
  const customers = await import("../../lib/data/customers.ts");
  const consent = await import("../../lib/data/consent.ts");
  const created = await customers.createUpgradeLink(admin, customerId, "analyst");
  assert.ok(created.ok, JSON.stringify(created));
  const cap = (await customers.getCustomerDetail(admin, customerId))!.capabilities.find((x) => x.key === "analyst")!;
  assert.equal(cap.granted, false);
  assert.ok(cap.permissions.includes("Incident.ReadWrite (delegated)"));
  const state = cap.upgradeLink!.onboardingUrl.split("/onboard/")[1]!;
  const page = await consent.getOnboardingPage(decodeURIComponent(state));
  assert.ok(page.ok);
  assert.deepEqual(page.permissions, []);
  assert.deepEqual(
    page.delegated.map((p) => p.permission),
    ["Incident.ReadWrite", "Machine.Read", "Machine.Isolate", "Machine.Scan", "Machine.CollectForensics"],
  );
  const scope = new URL(page.consentUrl).searchParams.get("scope")!;
  assert.ok(scope.split(" ").includes(`${MTP}/Incident.ReadWrite`));
  assert.equal(new URL(page.consentUrl).pathname, `/${tenantId}/v2.0/adminconsent`);
});

test("bulk triage and a device action in analyst mode run as the starter; a starter who is not connected fails the items", async () => {
  const bulk = await import("../../lib/data/bulk.ts");
  const runner = await import("../../lib/bulk/run.ts");
  const devices = await import("../../lib/data/device-actions.ts");
  const tokens = new mods.tokens.TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: clientSecret } });
  const api = new mods.api.MicrosoftApiClient({ tokens, baseUrl: sim.url, sleep: async () => {}, timeoutMs: 5_000 });
  const analyst = await user("ANALYST", `analyst@${partnerDomain}`);
  assert.equal((await connect(analyst, `analyst@${partnerDomain}`)).outcome, "connected");
  const ids = (await prisma.incident.findMany({ where: { customerId }, take: 2, orderBy: { sourceId: "asc" }, select: { id: true } })).map((i) => i.id);

  const job = await bulk.createBulkJob(analyst, { fields: { status: "InProgress", comment: "bulk as me" }, ids });
  assert.ok(job.ok, JSON.stringify(job));
  const result = await runner.runBulkJob({ prisma, api, concurrency: 1 }, job.value.id);
  assert.equal(result?.done, 2, JSON.stringify(await prisma.bulkJobItem.findMany({ where: { jobId: job.value.id } })));
  const changes = (await sim_("GET", `/_sim/tenants/${tenantId}/defender/changes`)) as { actor: { name: string } }[];
  assert.equal(changes.at(-1)!.actor.name, `analyst@${partnerDomain}`);
  const rows = await prisma.incidentChange.findMany({ where: { incidentId: { in: ids }, origin: "bulk" } });
  assert.ok(rows.length > 0 && rows.every((r) => r.writeContext === "delegated" && r.microsoftActor === `analyst@${partnerDomain}`));

  // The admin never connected: in analyst mode their job's items fail with the reason, and nothing reaches Microsoft.
  const before = changes.length;
  const adminJob = await bulk.createBulkJob(admin, { fields: { status: "Active" }, ids });
  assert.ok(adminJob.ok);
  const adminResult = await runner.runBulkJob({ prisma, api, concurrency: 1 }, adminJob.value.id);
  assert.equal(adminResult?.failed, 2);
  const item = await prisma.bulkJobItem.findFirstOrThrow({ where: { jobId: adminJob.value.id } });
  assert.match(item.message ?? "", /connect your account/);
  assert.equal(((await sim_("GET", `/_sim/tenants/${tenantId}/defender/changes`)) as unknown[]).length, before);

  // A device response action: Microsoft's requestor is the analyst's UPN.
  const withDevice = (await prisma.alert.findMany({ where: { customerId, incidentId: { not: null } }, select: { incidentId: true, payload: true } }))
    .map((a) => ({
      incidentId: a.incidentId!,
      device: (a.payload as { devices?: { id: string | null; name: string | null }[] }).devices?.find((d) => d.id && /^[0-9a-f]{40}$/.test(d.id)),
    }))
    .find((a) => a.device);
  assert.ok(withDevice, "an incident names a device");
  const r = await devices.requestDeviceAction(
    analyst,
    { incidentId: withDevice.incidentId },
    { action: "scan", scanType: "Quick", machineId: withDevice.device!.id, comment: "scan as me" },
  );
  assert.ok(r.ok, JSON.stringify(r));
  const recorded = (await sim_("GET", `/_sim/tenants/${tenantId}/defender/machineactions`)) as { actions: { requestor: string; requestorComment: string }[] };
  assert.equal(recorded.actions.find((a) => a.requestorComment === "scan as me")?.requestor, `analyst@${partnerDomain}`);
  const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "device.scan", customerId }, orderBy: { id: "desc" } });
  assert.equal((audit.detail as Record<string, unknown>).writeContext, "delegated");
});
