import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";
import { CERT_DIR, simulatedPortalEnv } from "../../scripts/lib/stack.ts";
import { createMigratedDatabase } from "../support/db.ts";
import { SimControl, uniqueTenantName } from "../support/sim-control.ts";

/**
 * The consent callback against a real PostgreSQL, real MSAL and the simulator. The customer admin's browser is
 * replaced by the redirect query it would bring back; the browser flow itself is covered by the Playwright suite.
 */
const clientId = randomUUID();
const clientSecret = randomBytes(24).toString("base64url");
const appUrl = "http://localhost:3999";

let sim: SimulatorHandle;
let control: SimControl;
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
// Imported after the environment is set: the modules read it once.
let consent: typeof import("../../lib/data/consent.ts");
let customers: typeof import("../../lib/data/customers.ts");
let prisma: import("../../lib/db/client.ts").PrismaClient;
let viewer: import("../../lib/auth/viewer.ts").Viewer;

before(async () => {
  database = await createMigratedDatabase("consent");
  sim = await startSimulator({
    port: 0,
    certDir: CERT_DIR,
    seed: "consent-tests",
    app: { clientId, displayName: "Test Portal", clientSecrets: [clientSecret], certificates: [], redirectUris: [`${appUrl}/consent/callback`] },
  });
  control = new SimControl(sim.url);
  Object.assign(process.env, {
    ...simulatedPortalEnv({ databaseUrl: database.url, appUrl, authSecret: randomBytes(32).toString("base64url"), sim, clientId, clientSecret }),
    PARTNER_NAME: "Contoso MSSP",
  });
  consent = await import("../../lib/data/consent.ts");
  customers = await import("../../lib/data/customers.ts");
  prisma = (await import("../../lib/db/client.ts")).db();
  const partner = await (await import("../../lib/data/partner.ts")).currentPartner();
  const user = await prisma.portalUser.create({
    data: { id: randomUUID(), partnerId: partner.id, entraObjectId: randomUUID(), email: "admin@partner", displayName: "Admin", role: "ADMIN", roleSource: "entra-app-role" },
  });
  viewer = { userId: user.id, partnerId: partner.id, name: "Admin", email: "admin@partner", role: "ADMIN", customerScope: "all" };
});

after(async () => {
  await prisma?.$disconnect();
  await sim?.close();
  await database?.drop();
});

/** A pending customer with a live link; returns its id and the raw state from the link. */
async function pendingCustomer(input: { tenantOrDomain?: string } = {}) {
  const name = uniqueTenantName("Cust");
  const created = await customers.createCustomer(viewer, { displayName: name.displayName, tenantOrDomain: input.tenantOrDomain ?? "", region: "eu" });
  assert.ok(created.ok, JSON.stringify(created));
  const id = (created as { value: { id: string } }).value.id;
  assert.ok((await customers.createConsentLink(viewer, id)).ok);
  const detail = await customers.getCustomerDetail(viewer, id);
  const state = new URL(detail!.link!.consentUrl).searchParams.get("state")!;
  return { id, state };
}

async function consentedTenant(opts: { defenderLicence?: boolean } = {}) {
  const t = await control.createTenant({ ...uniqueTenantName("Tenant"), defenderLicence: opts.defenderLicence ?? true });
  await control.grantConsent(t.id);
  return t;
}

function callback(params: Record<string, string>) {
  return consent.processConsentCallback(new URLSearchParams(params));
}

async function event(id: string) {
  return prisma.consentEvent.findUniqueOrThrow({ where: { id } });
}

async function snapshot(customerId: string) {
  const c = await prisma.customer.findUniqueOrThrow({ where: { id: customerId } });
  return { status: c.status, tenantId: c.tenantId, grantedRoles: c.grantedRoles, consentedAt: c.consentedAt };
}

describe("consent callback", () => {
  test("a verified consent records the tenant, its granted roles and the ledger entry, and consumes the state", async () => {
    const t = await consentedTenant();
    const { id, state } = await pendingCustomer();
    const ev = await event(await callback({ admin_consent: "True", tenant: t.id, scope: "x", state }));
    assert.equal(ev.outcome, "CONSENTED");
    const c = await snapshot(id);
    assert.equal(c.status, "CONSENTED");
    assert.equal(c.tenantId, t.id);
    assert.deepEqual(c.grantedRoles, [
      "https://api.security.microsoft.com/Incident.Read.All",
      "https://api.securitycenter.microsoft.com/Alert.Read.All",
      "https://graph.microsoft.com/SecurityAlert.Read.All",
      "https://graph.microsoft.com/SecurityIncident.Read.All",
    ]);
    const req = await prisma.consentRequest.findFirstOrThrow({ where: { customerId: id } });
    assert.ok(req.usedAt);
    const audit = await prisma.auditEntry.findMany({ where: { customerId: id, action: "consent.consented" } });
    assert.equal(audit.length, 1);

    // Replaying the same redirect is refused and changes nothing.
    const replay = await event(await callback({ admin_consent: "True", tenant: t.id, scope: "x", state }));
    assert.equal(replay.outcome, "REFUSED");
    assert.equal(replay.errorCode, "state_replayed");
    assert.deepEqual(await snapshot(id), c);
  });

  test("a forged tenant (admin_consent=True without a consent Entra can prove) is refused and binds nothing", async () => {
    const unconsented = await control.createTenant(uniqueTenantName("Victim"));
    const { id, state } = await pendingCustomer();
    const before = await snapshot(id);
    const ev = await event(await callback({ admin_consent: "True", tenant: unconsented.id, state }));
    assert.equal(ev.outcome, "REFUSED");
    assert.equal(ev.errorCode, "AADSTS700016");
    assert.deepEqual(await snapshot(id), before);
  });

  test("a tenant unknown to Entra is refused", async () => {
    const { id, state } = await pendingCustomer();
    const ev = await event(await callback({ admin_consent: "True", tenant: randomUUID(), state }));
    assert.equal(ev.outcome, "REFUSED");
    assert.equal(ev.errorCode, "AADSTS90002");
    assert.equal((await snapshot(id)).status, "PENDING");
  });

  test("unknown, missing, expired and revoked states are refused without touching any customer", async () => {
    const t = await consentedTenant();
    const unknown = await event(await callback({ admin_consent: "True", tenant: t.id, state: randomBytes(32).toString("base64url").slice(0, 43) }));
    assert.equal(unknown.errorCode, "state_unknown");
    assert.equal(unknown.customerId, null);
    const missing = await event(await callback({ admin_consent: "True", tenant: t.id }));
    assert.equal(missing.errorCode, "state_missing");

    const expired = await pendingCustomer();
    await prisma.consentRequest.updateMany({ where: { customerId: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const ev = await event(await callback({ admin_consent: "True", tenant: t.id, state: expired.state }));
    assert.equal(ev.errorCode, "state_expired");
    assert.equal((await snapshot(expired.id)).tenantId, null);

    const revoked = await pendingCustomer();
    assert.ok((await customers.revokeConsentLinks(viewer, revoked.id)).ok);
    assert.equal((await event(await callback({ admin_consent: "True", tenant: t.id, state: revoked.state }))).errorCode, "state_revoked");

    // Regenerating a link kills the previous one.
    const regen = await pendingCustomer();
    assert.ok((await customers.createConsentLink(viewer, regen.id)).ok);
    assert.equal((await event(await callback({ admin_consent: "True", tenant: t.id, state: regen.state }))).errorCode, "state_revoked");
  });

  test("another customer's state cannot bind a tenant that customer does not own", async () => {
    const a = await consentedTenant();
    const b = await consentedTenant();
    // Customer B was added with its own tenant ID; a redirect that names A's tenant with B's state is refused.
    const custB = await pendingCustomer({ tenantOrDomain: b.id });
    const ev = await event(await callback({ admin_consent: "True", tenant: a.id, state: custB.state }));
    assert.equal(ev.outcome, "REFUSED");
    assert.equal(ev.errorCode, "tenant_mismatch");
    assert.equal((await snapshot(custB.id)).status, "PENDING");
  });

  test("a tenant already bound to another customer is refused", async () => {
    const t = await consentedTenant();
    const first = await pendingCustomer();
    assert.equal((await event(await callback({ admin_consent: "True", tenant: t.id, state: first.state }))).outcome, "CONSENTED");
    const second = await pendingCustomer();
    const ev = await event(await callback({ admin_consent: "True", tenant: t.id, state: second.state }));
    assert.equal(ev.errorCode, "tenant_already_bound");
    assert.equal((await snapshot(second.id)).tenantId, null);
  });

  test("missing roles → Error listing which; no licence → Error with AADSTS500011", async () => {
    const t = await consentedTenant();
    await control.setRoles(t.id, "https://graph.microsoft.com", ["SecurityIncident.Read.All"]);
    const c = await pendingCustomer();
    const ev = await event(await callback({ admin_consent: "True", tenant: t.id, state: c.state }));
    assert.equal(ev.outcome, "PERMISSIONS_MISSING");
    assert.deepEqual(ev.missingRoles, ["https://graph.microsoft.com/SecurityAlert.Read.All"]);
    const s = await snapshot(c.id);
    assert.equal(s.status, "ERROR");
    assert.equal(s.tenantId, t.id);

    const unlicensed = await consentedTenant({ defenderLicence: false });
    const u = await pendingCustomer();
    const ev2 = await event(await callback({ admin_consent: "True", tenant: unlicensed.id, state: u.state }));
    assert.equal(ev2.outcome, "PERMISSIONS_MISSING");
    assert.equal(ev2.errorCode, "AADSTS500011");
    assert.ok(ev2.missingRoles.includes("https://api.security.microsoft.com/Incident.Read.All"));
    assert.equal((await snapshot(u.id)).status, "ERROR");
  });

  test("declined and not-an-admin errors are recorded with their AADSTS codes", async () => {
    const d = await pendingCustomer();
    const declined = await event(await callback({ error: "access_denied", error_description: "AADSTS65004: User declined to consent to access the app.", admin_consent: "True", state: d.state }));
    assert.equal(declined.outcome, "DECLINED");
    assert.equal(declined.errorCode, "AADSTS65004");
    assert.equal((await snapshot(d.id)).status, "DECLINED");

    const n = await pendingCustomer();
    const notAdmin = await event(await callback({ error: "access_denied", error_description: "AADSTS90094: Admin consent is required.", state: n.state }));
    assert.equal(notAdmin.outcome, "NOT_ADMIN");
    assert.equal(notAdmin.errorCode, "AADSTS90094");
  });

  test("oversized, repeated and malformed parameters are refused before any lookup", async () => {
    const c = await pendingCustomer();
    const t = await consentedTenant();
    assert.equal((await event(await callback({ admin_consent: "True", tenant: t.id, state: c.state, error_description: "x".repeat(100_000) }))).errorCode, "malformed_request");
    const repeated = new URLSearchParams([["state", c.state], ["state", c.state], ["tenant", t.id], ["admin_consent", "True"]]);
    assert.equal((await event(await consent.processConsentCallback(repeated))).errorCode, "malformed_request");
    assert.equal((await event(await callback({ admin_consent: "True", tenant: "<script>", state: "../../etc" }))).errorCode, "state_unknown");
    // The link is still live after all of that: refusals before the state lookup consume nothing.
    assert.equal((await event(await callback({ admin_consent: "True", tenant: t.id, state: c.state }))).outcome, "CONSENTED");
  });

  test("manual tenant ID after the legacy link is verified like a callback", async () => {
    const c = await pendingCustomer();
    const bad = await customers.submitManualTenantId(viewer, c.id, { tenantId: "not-a-guid" });
    assert.equal(bad.ok, false);
    const unconsented = await control.createTenant(uniqueTenantName("Typo"));
    const refused = await customers.submitManualTenantId(viewer, c.id, { tenantId: unconsented.id });
    assert.equal(refused.ok, false);
    assert.equal((await snapshot(c.id)).tenantId, null);
    const t = await consentedTenant();
    const ok = await customers.submitManualTenantId(viewer, c.id, { tenantId: t.id });
    assert.ok(ok.ok);
    const s = await snapshot(c.id);
    assert.equal(s.status, "CONSENTED");
    assert.equal((await prisma.customer.findUniqueOrThrow({ where: { id: c.id } })).consentedVia, "MANUAL");
  });

  test("onboarding page data: live link shows permissions and the consent URL; a used link is dead", async () => {
    const c = await pendingCustomer();
    const page = await consent.getOnboardingPage(c.state);
    assert.ok(page.ok);
    assert.equal(page.permissions.length, 4);
    assert.equal(new URL(page.consentUrl).searchParams.get("state"), c.state);
    const t = await consentedTenant();
    await callback({ admin_consent: "True", tenant: t.id, state: c.state });
    const after = await consent.getOnboardingPage(c.state);
    assert.equal(after.ok, false);
  });

  test("customer input is validated with messages per field", async () => {
    const r = await customers.createCustomer(viewer, { displayName: "x", tenantOrDomain: "not a domain", region: "mars" });
    assert.equal(r.ok, false);
    const errors = (r as { fieldErrors: Record<string, string> }).fieldErrors;
    assert.match(errors.displayName!, /at least 2/);
    assert.match(errors.tenantOrDomain!, /tenant ID/);
    assert.match(errors.region!, /region/);
    const ctrl = await customers.createCustomer(viewer, { displayName: "Evil\u202eName", tenantOrDomain: "", region: "us" });
    assert.equal(ctrl.ok, false);
  });
});
