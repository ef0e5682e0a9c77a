import type { Browser, Page } from "@playwright/test";
import { expect, partnerUsers, signIn, test, uniqueTenantName } from "./fixtures.ts";

/** Opens a page in a fresh browser context: the customer's admin has no portal session. */
async function customerBrowser(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ baseURL: process.env.E2E_APP_URL, ignoreHTTPSErrors: true });
  return ctx.newPage();
}

async function snapshot(prisma: import("../../lib/db/client.ts").PrismaClient, id: string) {
  const c = await prisma.customer.findUniqueOrThrow({ where: { id } });
  const events = await prisma.consentEvent.findMany({ where: { customerId: id }, orderBy: { createdAt: "asc" } });
  return { customer: { status: c.status, tenantId: c.tenantId, grantedRoles: c.grantedRoles, consentedAt: c.consentedAt }, events };
}

/** A pending customer with a live link, created through the data layer. */
async function pendingCustomer(data: Parameters<Parameters<typeof test>[2]>[0]["data"], tenantOrDomain = "") {
  const viewer = await data.adminViewer();
  const r = await data.customers.createCustomer(viewer, { displayName: uniqueTenantName("Customer").displayName, tenantOrDomain, region: "us" });
  if (!r.ok) throw new Error(JSON.stringify(r));
  await data.customers.createConsentLink(viewer, r.value.id);
  const detail = (await data.customers.getCustomerDetail(viewer, r.value.id))!;
  return {
    id: r.value.id,
    consentUrl: detail.link!.consentUrl,
    onboardingUrl: detail.link!.onboardingUrl,
    state: new URL(detail.link!.consentUrl).searchParams.get("state")!,
  };
}

test("partner admin onboards a customer end to end: add, link, onboarding page, consent at Microsoft, Consented", async ({ page, browser, sim }) => {
  test.setTimeout(60_000);
  const { admin } = await partnerUsers(sim);
  const tenant = await sim.createTenant(uniqueTenantName("Fabrikam"));
  const customerAdmin = tenant.users.find((u) => u.isAdmin)!;

  await signIn(page, admin.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByTestId("viewer-role")).toHaveText("Partner admin");

  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByRole("link", { name: "Add customer" }).click();
  await page.getByLabel("Customer name").fill(tenant.displayName);
  await page.getByLabel(/Tenant ID or verified domain/).fill(tenant.domain);
  await page.getByLabel("Defender data region").selectOption("eu");
  await page.getByRole("button", { name: "Add customer" }).click();
  await expect(page.getByRole("heading", { name: tenant.displayName })).toBeVisible();
  await expect(page.getByTestId("customer-status")).toHaveText("Pending");

  await page.getByRole("button", { name: "Create consent link" }).click();
  const onboardingUrl = await page.getByTestId("onboarding-url").inputValue();
  expect(onboardingUrl).toMatch(/\/onboard\/[A-Za-z0-9_-]{43}$/);
  const consentUrl = new URL(await page.getByTestId("consent-url").inputValue());
  // The domain was resolved to its tenant when the customer was added: the link names the tenant ID.
  expect(consentUrl.pathname).toBe(`/${tenant.id}/v2.0/adminconsent`);

  const customer = await customerBrowser(browser);
  await customer.goto(onboardingUrl);
  await expect(customer.getByRole("heading", { level: 1 })).toContainText(tenant.displayName);
  await expect(customer.getByTestId("onboarding-permissions").locator("li")).toHaveCount(4);
  await customer.getByTestId("grant-consent").click();
  await customer.getByRole("button", { name: `Sign in as ${customerAdmin.upn}` }).click();
  await customer.getByRole("button", { name: "Accept" }).click();
  await expect(customer.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "CONSENTED");
  await expect(customer.getByRole("heading", { name: "Access granted" })).toBeVisible();

  await page.reload();
  await expect(page.getByTestId("customer-status")).toHaveText("Consented");
  await expect(page.getByTestId("tenant-id")).toHaveText(tenant.id);
  await expect(page.getByTestId("permission-row").filter({ hasText: "✓ Granted" })).toHaveCount(4);
  await page.getByRole("link", { name: "Customers" }).click();
  const row = page.getByTestId("customer-row").filter({ hasText: tenant.displayName });
  await expect(row.getByTestId("customer-status")).toHaveText("Consented");
  await expect(row.getByTestId("permission-count")).toHaveText("4 / 4 granted");
});

test("customer admin declines: the customer sees what happened, the partner sees Declined", async ({ browser, sim, data }) => {
  const tenant = await sim.createTenant(uniqueTenantName("Decliner"));
  const c = await pendingCustomer(data);
  const page = await customerBrowser(browser);
  await page.goto(c.onboardingUrl);
  await page.getByTestId("grant-consent").click();
  await page.getByRole("button", { name: `Sign in as ${tenant.users.find((u) => u.isAdmin)!.upn}` }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "DECLINED");
  await expect(page.getByTestId("consent-reason")).toContainText("AADSTS65004");
  const s = await snapshot(data.prisma, c.id);
  expect(s.customer.status).toBe("DECLINED");
  expect(s.customer.tenantId).toBeNull();
});

test("a non-admin of the customer gets an error, not a consent", async ({ browser, sim, data }) => {
  const tenant = await sim.createTenant(uniqueTenantName("NonAdmin"));
  const c = await pendingCustomer(data);
  const page = await customerBrowser(browser);
  await page.goto(c.onboardingUrl);
  await page.getByTestId("grant-consent").click();
  await page.getByRole("button", { name: `Sign in as ${tenant.users.find((u) => !u.isAdmin)!.upn}` }).click();
  // Entra's "Need admin approval" page; its way back carries the error to the portal.
  await page.getByRole("button", { name: /Return to the application/ }).click();
  await expect(page.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "NOT_ADMIN");
  const s = await snapshot(data.prisma, c.id);
  expect(s.customer.tenantId).toBeNull();
  expect(s.customer.grantedRoles).toEqual([]);
  expect((await sim.directory()).customers.find((t) => t.id === tenant.id)!.consented).toBe(false);
});

test.describe("refused callbacks record nothing but the refusal", () => {
  async function expectOnlyRefusal(page: Page, data: Parameters<Parameters<typeof test>[2]>[0]["data"], customerId: string, url: string, code: string) {
    const before = await snapshot(data.prisma, customerId);
    await page.goto(url);
    await expect(page.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "REFUSED");
    const after = await snapshot(data.prisma, customerId);
    expect(after.customer).toEqual(before.customer);
    const added = after.events.slice(before.events.length);
    expect(added.map((e) => [e.outcome, e.errorCode])).toEqual([["REFUSED", code]]);
  }

  test("forged tenant on a real state", async ({ page, sim, data }) => {
    const victim = await sim.createTenant(uniqueTenantName("Victim"));
    const c = await pendingCustomer(data);
    await expectOnlyRefusal(page, data, c.id, `/consent/callback?admin_consent=True&tenant=${victim.id}&state=${c.state}`, "AADSTS700016");
  });

  test("replayed state", async ({ page, sim, data }) => {
    const t = await sim.createTenant(uniqueTenantName("Replay"));
    await sim.grantConsent(t.id);
    const c = await pendingCustomer(data, t.id);
    const url = `/consent/callback?admin_consent=True&tenant=${t.id}&state=${c.state}`;
    await page.goto(url);
    await expect(page.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "CONSENTED");
    await expectOnlyRefusal(page, data, c.id, url, "state_replayed");
  });

  test("expired state (and its onboarding page says so)", async ({ page, sim, data }) => {
    const t = await sim.createTenant(uniqueTenantName("Expired"));
    await sim.grantConsent(t.id);
    const c = await pendingCustomer(data);
    await data.prisma.consentRequest.updateMany({ where: { customerId: c.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    await page.goto(c.onboardingUrl);
    await expect(page.getByTestId("onboarding-invalid")).toContainText("expired");
    await expectOnlyRefusal(page, data, c.id, `/consent/callback?admin_consent=True&tenant=${t.id}&state=${c.state}`, "state_expired");
  });

  test("another customer's state", async ({ page, sim, data }) => {
    const a = await sim.createTenant(uniqueTenantName("OwnerA"));
    const b = await sim.createTenant(uniqueTenantName("OwnerB"));
    await sim.grantConsent(a.id);
    const custB = await pendingCustomer(data, b.id);
    await expectOnlyRefusal(page, data, custB.id, `/consent/callback?admin_consent=True&tenant=${a.id}&state=${custB.state}`, "tenant_mismatch");
  });

  test("a tenant already bound to another customer", async ({ page, sim, data }) => {
    const t = await sim.createTenant(uniqueTenantName("Bound"));
    await sim.grantConsent(t.id);
    const first = await pendingCustomer(data, t.id);
    await page.goto(`/consent/callback?admin_consent=True&tenant=${t.id}&state=${first.state}`);
    await expect(page.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "CONSENTED");
    const second = await pendingCustomer(data);
    await expectOnlyRefusal(page, data, second.id, `/consent/callback?admin_consent=True&tenant=${t.id}&state=${second.state}`, "tenant_already_bound");
  });
});

test("invalid input on Add customer gets a message next to the field", async ({ page, sim }) => {
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  await page.goto("/customers/new");
  await page.getByLabel("Customer name").fill("x");
  await page.getByLabel(/Tenant ID or verified domain/).fill("not a domain!");
  await page.getByRole("button", { name: "Add customer" }).click();
  await expect(page.locator("#displayName-error")).toContainText("at least 2 characters");
  await expect(page.locator("#tenantOrDomain-error")).toContainText("tenant ID");
});

test("the App registration page shows what to configure and checks the credential live", async ({ page, sim }) => {
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  await page.getByRole("link", { name: "App registration" }).click();
  await expect(page.getByTestId("client-id")).toHaveText(process.env.ENTRA_CLIENT_ID!);
  await expect(page.getByTestId("credential-kind")).toContainText("Client secret");
  await expect(page.getByTestId("required-permissions").locator("tbody tr")).toHaveCount(4);
  await expect(page.locator("body")).not.toContainText(process.env.ENTRA_CLIENT_SECRET!);
  await page.getByRole("button", { name: "Check now" }).click();
  // One token per API in the partner tenant, and the cross-tenant look-up permission granted there.
  await expect(page.getByTestId("credential-results").locator("li[data-ok=true]")).toHaveCount(4);
  await expect(page.getByTestId("partner-permissions")).toContainText("CrossTenantInformation.ReadBasic.All");
  await expect(page.getByTestId("capability-permissions")).toContainText("Incident.ReadWrite.All");
});
