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
    data: {
      id: randomUUID(),
      partnerId: partner.id,
      entraObjectId: randomUUID(),
      email: "admin@partner",
      displayName: "Admin",
      role: "ADMIN",
      roleSource: "entra-app-role",
    },
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

/** The ledger event id of a callback; fails the test when the callback was ignored (named no link of ours). */
async function callback(params: Record<string, string> | URLSearchParams): Promise<string> {
  const r = await consent.processConsentCallback(params instanceof URLSearchParams ? params : new URLSearchParams(params));
  assert.equal(r.kind, "event", "the callback names a link of the portal's, so it is recorded");
  return (r as { eventId: string }).eventId;
}

async function event(id: string) {
  return prisma.consentEvent.findUniqueOrThrow({ where: { id } });
}

async function rowCounts() {
  return { events: await prisma.consentEvent.count(), audit: await prisma.auditEntry.count() };
}

async function snapshot(customerId: string) {
  const c = await prisma.customer.findUniqueOrThrow({ where: { id: customerId } });
  return { status: c.status, tenantId: c.tenantId, grantedRoles: c.grantedRoles, consentedAt: c.consentedAt };
}

describe("consent callback", () => {
  test("a verified consent records the tenant, its granted roles and the ledger entry, and consumes the state", async () => {
    const t = await consentedTenant();
    // Added with its verified domain: the domain is resolved to the tenant ID at once (OpenID discovery).
    const { id, state } = await pendingCustomer({ tenantOrDomain: t.domain });
    assert.equal((await snapshot(id)).tenantId, t.id);
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
    // A state the portal never issued, or none at all, writes nothing: no ledger row, no audit row.
    const before = await rowCounts();
    const ignoredBefore = consent.ignoredCallbackCount();
    for (const params of <Record<string, string>[]>[
      { admin_consent: "True", tenant: t.id, state: randomBytes(32).toString("base64url").slice(0, 43) },
      { admin_consent: "True", tenant: t.id },
    ]) {
      assert.deepEqual(await consent.processConsentCallback(new URLSearchParams(params)), { kind: "invalid" });
    }
    assert.deepEqual(await rowCounts(), before);
    assert.equal(consent.ignoredCallbackCount() - ignoredBefore, 2);

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
    const first = await pendingCustomer({ tenantOrDomain: t.id });
    assert.equal((await event(await callback({ admin_consent: "True", tenant: t.id, state: first.state }))).outcome, "CONSENTED");
    const second = await pendingCustomer();
    const ev = await event(await callback({ admin_consent: "True", tenant: t.id, state: second.state }));
    assert.equal(ev.errorCode, "tenant_already_bound");
    assert.equal((await snapshot(second.id)).tenantId, null);
  });

  test("missing roles → Error listing which; no licence → Error with AADSTS500011", async () => {
    const t = await consentedTenant();
    await control.setRoles(t.id, "https://graph.microsoft.com", ["SecurityIncident.Read.All"]);
    const c = await pendingCustomer({ tenantOrDomain: t.id });
    const ev = await event(await callback({ admin_consent: "True", tenant: t.id, state: c.state }));
    assert.equal(ev.outcome, "PERMISSIONS_MISSING");
    assert.deepEqual(ev.missingRoles, ["https://graph.microsoft.com/SecurityAlert.Read.All"]);
    const s = await snapshot(c.id);
    assert.equal(s.status, "ERROR");
    assert.equal(s.tenantId, t.id);

    const unlicensed = await consentedTenant({ defenderLicence: false });
    const u = await pendingCustomer({ tenantOrDomain: unlicensed.id });
    const ev2 = await event(await callback({ admin_consent: "True", tenant: unlicensed.id, state: u.state }));
    assert.equal(ev2.outcome, "PERMISSIONS_MISSING");
    assert.equal(ev2.errorCode, "AADSTS500011");
    assert.ok(ev2.missingRoles.includes("https://api.security.microsoft.com/Incident.Read.All"));
    assert.equal((await snapshot(u.id)).status, "ERROR");
  });

  test("declined and not-an-admin errors are recorded with their AADSTS codes", async () => {
    const d = await pendingCustomer();
    const declined = await event(
      await callback({
        error: "access_denied",
        error_description: "AADSTS65004: User declined to consent to access the app.",
        admin_consent: "True",
        state: d.state,
      }),
    );
    assert.equal(declined.outcome, "DECLINED");
    assert.equal(declined.errorCode, "AADSTS65004");
    assert.equal((await snapshot(d.id)).status, "DECLINED");

    const n = await pendingCustomer();
    const notAdmin = await event(await callback({ error: "access_denied", error_description: "AADSTS90094: Admin consent is required.", state: n.state }));
    assert.equal(notAdmin.outcome, "NOT_ADMIN");
    assert.equal(notAdmin.errorCode, "AADSTS90094");
  });

  test("oversized, repeated and malformed parameters are refused without consuming the link, one ledger row per code", async () => {
    const t = await consentedTenant();
    const c = await pendingCustomer({ tenantOrDomain: t.domain });
    const oversized = await event(await callback({ admin_consent: "True", tenant: t.id, state: c.state, error_description: "x".repeat(100_000) }));
    assert.equal(oversized.errorCode, "malformed_request");
    const repeated = new URLSearchParams([
      ["state", c.state],
      ["tenant", t.id],
      ["tenant", t.id],
      ["admin_consent", "True"],
    ]);
    const again = await event(await callback(repeated));
    assert.equal(again.id, oversized.id, "refusals of one link and code collapse into one row");
    assert.equal(again.occurrences, 2);
    // A tenant that is not a GUID is never stored.
    const hostile = await event(await callback({ admin_consent: "True", tenant: "<script>alert(1)</script>", state: c.state }));
    assert.equal(hostile.errorCode, "malformed_request");
    assert.equal(hostile.claimedTenantId, null);
    assert.deepEqual(await consent.processConsentCallback(new URLSearchParams({ admin_consent: "True", tenant: "<script>", state: "../../etc" })), {
      kind: "invalid",
    });
    // The link is still live after all of that: malformed responses consume nothing.
    assert.equal((await event(await callback({ admin_consent: "True", tenant: t.id, state: c.state }))).outcome, "CONSENTED");
  });

  test("free text in error never reaches the ledger, the customer's status or the outcome page", async () => {
    const a = await pendingCustomer();
    const freeText = await event(await callback({ error: "Your account was hacked, call +1-555-0100", error_description: "AADSTS65004", state: a.state }));
    assert.equal(freeText.outcome, "REFUSED");
    assert.equal(freeText.errorCode, "malformed_request");
    assert.equal((await snapshot(a.id)).status, "PENDING");
    const b = await pendingCustomer();
    const coded = await event(
      await callback({ error: "server_error", error_description: "AADSTS50000 <b>Visit evil.example to fix this</b>", state: b.state }),
    );
    assert.equal(coded.errorCode, "AADSTS50000");
    const customer = await prisma.customer.findUniqueOrThrow({ where: { id: b.id } });
    assert.doesNotMatch(customer.statusReason ?? "", /evil|<b>/);
    const outcome = await consent.getConsentOutcome(coded.id);
    assert.doesNotMatch(JSON.stringify(outcome), /evil|<b>/);
    const refusedOutcome = await consent.getConsentOutcome(freeText.id);
    assert.doesNotMatch(JSON.stringify(refusedOutcome), /hacked|555/);
  });

  test("manual tenant ID after the legacy link is verified like a callback", async () => {
    const t = await consentedTenant();
    const c = await pendingCustomer({ tenantOrDomain: t.domain });
    const bad = await customers.submitManualTenantId(viewer, c.id, { tenantId: "not-a-guid" });
    assert.equal(bad.ok, false);
    const unconsented = await control.createTenant(uniqueTenantName("Typo"));
    const refused = await customers.submitManualTenantId(viewer, c.id, { tenantId: unconsented.id });
    assert.equal(refused.ok, false);
    assert.equal((await snapshot(c.id)).status, "PENDING");
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

describe("the bound tenant is the customer", () => {
  test("a customer added with a domain accepts consent from that domain's tenant only (callback and typed ID)", async () => {
    const own = await consentedTenant();
    const other = await consentedTenant();
    const c = await pendingCustomer({ tenantOrDomain: own.domain });
    // The link's tenant segment changed to `organizations` and another tenant's admin accepted: Entra redirects with theirs.
    const ev = await event(await callback({ admin_consent: "True", tenant: other.id, state: c.state }));
    assert.equal(ev.outcome, "REFUSED");
    assert.equal(ev.errorCode, "tenant_mismatch");
    assert.equal(ev.claimedTenantId, other.id);
    assert.equal(ev.expectedTenantId, own.id);
    assert.match(ev.reason, new RegExp(`${other.id}.*${own.id}`), "the partner sees both tenants named");
    assert.equal((await snapshot(c.id)).status, "PENDING");
    const typed = await customers.submitManualTenantId(viewer, c.id, { tenantId: other.id });
    assert.equal(typed.ok, false);
    assert.equal((await snapshot(c.id)).status, "PENDING");
    // The customer-facing page says what happened without naming the expected tenant.
    const outcome = await consent.getConsentOutcome(ev.id);
    assert.match(outcome!.reason, /not the one this link was made for/);
    assert.doesNotMatch(outcome!.reason, new RegExp(own.id));
  });

  test("an unknown domain is refused when the customer is added (AADSTS90002)", async () => {
    const r = await customers.createCustomer(viewer, {
      displayName: uniqueTenantName("Nodomain").displayName,
      tenantOrDomain: "no-such-tenant-here.onmicrosoft.com",
      region: "eu",
    });
    assert.equal(r.ok, false);
    assert.match((r as { fieldErrors: Record<string, string> }).fieldErrors.tenantOrDomain!, /AADSTS90002/);
  });

  test("a name-only customer waits for a partner admin to confirm the tenant, named by Graph; nothing syncs before", async () => {
    const t = await consentedTenant();
    const c = await pendingCustomer();
    const ev = await event(await callback({ admin_consent: "True", tenant: t.id, state: c.state }));
    assert.equal(ev.outcome, "AWAITING_CONFIRMATION");
    const row = await prisma.customer.findUniqueOrThrow({ where: { id: c.id } });
    assert.equal(row.status, "AWAITING_CONFIRMATION");
    assert.equal(row.tenantId, t.id);
    assert.equal(row.tenantDisplayName, t.displayName);
    assert.equal(row.tenantDefaultDomain, t.domain);
    assert.equal(row.consentedAt, null);
    // The scheduler picks consented customers only.
    const due = await prisma.customer.count({ where: { id: c.id, tenantId: { not: null }, status: { in: ["CONSENTED", "ERROR"] } } });
    assert.equal(due, 0);
    // An analyst calling the admin action directly is denied.
    const analyst = { ...viewer, role: "ANALYST" as const, customerScope: [c.id] };
    const binding = await import("../../lib/data/tenant-binding.ts");
    await assert.rejects(binding.confirmTenant(analyst, c.id), /access/i);
    const confirmed = await binding.confirmTenant(viewer, c.id);
    assert.ok(confirmed.ok);
    assert.equal((await snapshot(c.id)).status, "CONSENTED");
    assert.equal((await binding.confirmTenant(viewer, c.id)).ok, false, "a second confirmation finds nothing to confirm");
    const history = await prisma.consentEvent.findMany({ where: { customerId: c.id }, orderBy: { createdAt: "asc" } });
    assert.deepEqual(
      history.map((e) => e.outcome),
      ["AWAITING_CONFIRMATION", "CONFIRMED"],
    );
  });

  test("rejecting the tenant unbinds it; the typed ID after the legacy link also waits for confirmation", async () => {
    const t = await consentedTenant();
    const c = await pendingCustomer();
    const typed = await customers.submitManualTenantId(viewer, c.id, { tenantId: t.id });
    assert.ok(typed.ok);
    assert.equal((await snapshot(c.id)).status, "AWAITING_CONFIRMATION");
    const binding = await import("../../lib/data/tenant-binding.ts");
    assert.ok((await binding.rejectTenant(viewer, c.id)).ok);
    const s = await snapshot(c.id);
    assert.equal(s.status, "PENDING");
    assert.equal(s.tenantId, null);
    assert.deepEqual(s.grantedRoles, []);
    const rejected = await prisma.consentEvent.findFirstOrThrow({ where: { customerId: c.id, outcome: "REJECTED" } });
    assert.equal(rejected.claimedTenantId, t.id);
  });

  test("without CrossTenantInformation.ReadBasic.All in the partner tenant the tenant still waits, named by its ID", async () => {
    const partnerTenant = (await control.directory()).partner.id;
    await control.setRoles(partnerTenant, "https://graph.microsoft.com", []);
    // Tokens carry the roles granted when they were issued: start from an empty token cache, as after an hour.
    const resetTokens = () => Object.assign(globalThis, { portalTokenClient: undefined, portalApiClient: undefined });
    resetTokens();
    try {
      const t = await consentedTenant();
      const c = await pendingCustomer();
      const ev = await event(await callback({ admin_consent: "True", tenant: t.id, state: c.state }));
      assert.equal(ev.outcome, "AWAITING_CONFIRMATION");
      assert.match(ev.reason, /could not be looked up.*CrossTenantInformation\.ReadBasic\.All/);
      assert.equal((await prisma.customer.findUniqueOrThrow({ where: { id: c.id } })).tenantDisplayName, null);
    } finally {
      await control.setRoles(partnerTenant, "https://graph.microsoft.com", ["CrossTenantInformation.ReadBasic.All"]);
      resetTokens();
    }
  });

  test("ten concurrent callbacks with one valid state: exactly one binds, nine are refused in one counted row", async () => {
    const t = await consentedTenant();
    const c = await pendingCustomer({ tenantOrDomain: t.id });
    const results = await Promise.all(Array.from({ length: 10 }, () => callback({ admin_consent: "True", tenant: t.id, state: c.state })));
    const events = await Promise.all([...new Set(results)].map(event));
    const consented = events.filter((e) => e.outcome === "CONSENTED");
    const refused = events.filter((e) => e.outcome === "REFUSED");
    assert.equal(consented.length, 1);
    assert.equal(refused.length, 1);
    assert.equal(refused[0]!.occurrences, 9);
    assert.equal(refused[0]!.errorCode, "state_replayed");
    assert.equal(results.filter((r) => r === consented[0]!.id).length, 1);
    assert.equal((await snapshot(c.id)).tenantId, t.id);
  });

  test("two customers racing for one tenant: the unique index lets one bind", async () => {
    const t = await consentedTenant();
    const a = await pendingCustomer();
    const b = await pendingCustomer();
    const events = await Promise.all([a, b].map(async (x) => event(await callback({ admin_consent: "True", tenant: t.id, state: x.state }))));
    assert.equal(events.filter((e) => e.outcome === "AWAITING_CONFIRMATION").length, 1);
    assert.equal(events.filter((e) => e.errorCode === "tenant_already_bound").length, 1);
  });
});

describe("permission upgrades", () => {
  test("an additional-permissions link adds a capability's roles to the bound tenant, nothing else", async () => {
    const t = await consentedTenant();
    const other = await consentedTenant();
    const c = await pendingCustomer({ tenantOrDomain: t.id });
    await callback({ admin_consent: "True", tenant: t.id, state: c.state });
    const before = await snapshot(c.id);
    assert.equal(before.status, "CONSENTED");
    const detail = await customers.getCustomerDetail(viewer, c.id);
    const triage = detail!.capabilities.find((x) => x.key === "triage")!;
    assert.equal(triage.granted, false);
    assert.equal(triage.canRequest, true);
    // Analysts cannot create one; an unknown capability is refused.
    await assert.rejects(customers.createUpgradeLink({ ...viewer, role: "ANALYST", customerScope: [c.id] }, c.id, "triage"), /access/i);
    assert.equal((await customers.createUpgradeLink(viewer, c.id, "root")).ok, false);
    assert.ok((await customers.createUpgradeLink(viewer, c.id, "triage")).ok);
    const link = (await customers.getCustomerDetail(viewer, c.id))!.capabilities.find((x) => x.key === "triage")!.upgradeLink!;
    const state = link.onboardingUrl.split("/onboard/")[1]!;
    const page = await consent.getOnboardingPage(state);
    assert.ok(page.ok);
    assert.equal(page.capability?.label, "Incident updates (triage)");
    assert.deepEqual(
      page.permissions.map((p) => p.permission),
      ["Incident.ReadWrite.All"],
    );
    const url = new URL(page.consentUrl);
    assert.ok(url.pathname.startsWith(`/${t.id}/`), "the tenant segment is the bound tenant");
    assert.equal(url.searchParams.get("scope"), "https://api.security.microsoft.com/Incident.ReadWrite.All");

    // Another tenant's admin cannot use it.
    const wrong = await event(await callback({ admin_consent: "True", tenant: other.id, state }));
    assert.equal(wrong.errorCode, "tenant_mismatch");
    // That attempt used the link up (it got past the state check): the partner sends a fresh one.
    assert.ok((await customers.createUpgradeLink(viewer, c.id, "triage")).ok);
    const fresh = (await customers.getCustomerDetail(viewer, c.id))!.capabilities
      .find((x) => x.key === "triage")!
      .upgradeLink!.onboardingUrl.split("/onboard/")[1]!;
    await control.grantConsent(t.id, { "https://api.security.microsoft.com": ["Incident.ReadWrite.All"] });
    const ok = await event(await callback({ admin_consent: "True", tenant: t.id, state: fresh }));
    assert.equal(ok.outcome, "PERMISSIONS_UPDATED");
    const after = await snapshot(c.id);
    assert.ok(after.grantedRoles.includes("https://api.security.microsoft.com/Incident.ReadWrite.All"));
    assert.ok(after.grantedRoles.includes("https://api.security.microsoft.com/Incident.Read.All"));
    assert.equal(after.status, "CONSENTED");
    assert.deepEqual(after.consentedAt, before.consentedAt);
    assert.equal((await customers.getCustomerDetail(viewer, c.id))!.capabilities.find((x) => x.key === "triage")!.granted, true);
  });
});
