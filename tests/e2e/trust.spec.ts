import type { Browser, Page } from "@playwright/test";
import { expect, partnerUsers, signIn, test, uniqueTenantName } from "./fixtures.ts";

/**
 * The trust promise, tried in Chromium: the bound tenant is the customer (domain customers accept only their tenant,
 * name-only customers are confirmed by a partner admin), permissions can be upgraded with a link, and the anonymous
 * consent surface writes nothing it does not have to.
 */

async function customerBrowser(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ baseURL: process.env.E2E_APP_URL, ignoreHTTPSErrors: true });
  return ctx.newPage();
}

// Each of these signs in, syncs and goes through Microsoft's consent pages: more than the default 30 s on two busy cores.
test.describe.configure({ timeout: 90_000 });

type Data = Parameters<Parameters<typeof test>[2]>[0]["data"];

async function customerWithLink(data: Data, tenantOrDomain = "") {
  const viewer = await data.adminViewer();
  const r = await data.customers.createCustomer(viewer, { displayName: uniqueTenantName("Customer").displayName, tenantOrDomain, region: "eu" });
  if (!r.ok) throw new Error(JSON.stringify(r));
  await data.customers.createConsentLink(viewer, r.value.id);
  const detail = (await data.customers.getCustomerDetail(viewer, r.value.id))!;
  return {
    id: r.value.id,
    name: detail.displayName,
    consentUrl: detail.link!.consentUrl,
    onboardingUrl: detail.link!.onboardingUrl,
    state: new URL(detail.link!.consentUrl).searchParams.get("state")!,
  };
}

async function ledgerRows(data: Data) {
  return { events: await data.prisma.consentEvent.count(), audit: await data.prisma.auditEntry.count() };
}

test("a customer added with its domain cannot be bound to another tenant through an edited link", async ({ page, browser, sim, data }) => {
  const own = await sim.createTenant(uniqueTenantName("Litware"));
  const intruder = await sim.createTenant(uniqueTenantName("Intruder"));
  const c = await customerWithLink(data, own.domain);
  // The attacker changes the tenant segment to `organizations` and accepts as an admin of another tenant.
  const edited = c.consentUrl.replace(/^(https:\/\/[^/]+)\/[^/]+\//, "$1/organizations/");
  expect(edited).toContain("/organizations/v2.0/adminconsent");
  const customer = await customerBrowser(browser);
  await customer.goto(edited);
  await customer.getByRole("button", { name: `Sign in as ${intruder.users.find((u) => u.isAdmin)!.upn}` }).click();
  await customer.getByRole("button", { name: "Accept" }).click();
  await expect(customer.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "REFUSED");
  await expect(customer.getByTestId("consent-reason")).toContainText("not the one this link was made for");

  const row = await data.prisma.customer.findUniqueOrThrow({ where: { id: c.id } });
  expect(row.status).toBe("PENDING");
  expect(row.tenantId).toBe(own.id);
  // The partner sees both tenants named in the history.
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  await page.goto(`/customers/${c.id}`);
  const refusal = page.getByTestId("consent-event").filter({ hasText: "Refused" });
  await expect(refusal).toContainText(intruder.id);
  await expect(refusal).toContainText(own.id);
  await expect(page.getByTestId("customer-status")).toHaveText("Pending");
});

test("a name-only customer's tenant waits for a partner admin's confirmation, then syncs", async ({ page, browser, sim, data }) => {
  const tenant = await sim.createTenant(uniqueTenantName("Woodgrove"));
  const c = await customerWithLink(data);
  const customer = await customerBrowser(browser);
  await customer.goto(c.onboardingUrl);
  await customer.getByTestId("grant-consent").click();
  await customer.getByRole("button", { name: `Sign in as ${tenant.users.find((u) => u.isAdmin)!.upn}` }).click();
  await customer.getByRole("button", { name: "Accept" }).click();
  await expect(customer.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "AWAITING_CONFIRMATION");

  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  await page.goto(`/customers/${c.id}`);
  await expect(page.getByTestId("customer-status")).toHaveText("Awaiting confirmation");
  const panel = page.getByTestId("awaiting-confirmation");
  await expect(panel).toContainText(`Tenant ${tenant.displayName} (${tenant.domain}, ${tenant.id}) consented for customer ${c.name}`);
  // Nothing syncs before confirmation: Refresh now is not offered and the scheduler skips it.
  await expect(page.getByRole("button", { name: "Refresh now" })).toHaveCount(0);
  await page.getByTestId("confirm-tenant").getByRole("button").click();
  // The page re-renders from the server: the confirmation panel gives way to the consented customer.
  await expect(page.getByTestId("customer-status")).toHaveText("Consented");
  await expect(page.getByTestId("awaiting-confirmation")).toHaveCount(0);
  await expect(page.getByTestId("tenant-id")).toHaveText(tenant.id);
});

test("a consenting tenant's own name is hostile text: shown inert on the confirmation panel", async ({ page, sim, data }) => {
  const hostile = `<img src=x onerror="window.__pwned=1">Evil\u202eCorp ${Date.now().toString(36)}`;
  const tenant = await sim.createTenant({ displayName: hostile, domain: `${uniqueTenantName("Hostile").domain}` });
  await sim.grantConsent(tenant.id);
  const c = await customerWithLink(data);
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  await page.goto(`/consent/callback?admin_consent=True&tenant=${tenant.id}&state=${c.state}`);
  await expect(page.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "AWAITING_CONFIRMATION");
  await page.goto(`/customers/${c.id}`);
  const panel = page.getByTestId("awaiting-confirmation");
  await expect(panel).toContainText('<img src=x onerror="window.__pwned=1">');
  await expect(panel.locator("img")).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  // The bidi override is made visible instead of reversing what follows it.
  expect(await panel.textContent()).not.toContain("\u202e");
});

test("permission upgrade end to end: an additional-permissions link makes triage available", async ({ page, browser, sim, data }) => {
  const c = await data.consentedCustomer("Upgrade", { sync: true });
  const incident = await data.prisma.incident.findFirstOrThrow({ where: { customerId: c.id } });
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  await page.goto(`/incidents/${incident.id}`);
  await expect(page.getByTestId("triage-unavailable").filter({ visible: true })).toContainText("additional-permissions link");

  await page.goto(`/customers/${c.id}`);
  await expect(page.getByTestId("capability-triage")).toHaveAttribute("data-granted", "false");
  await page.getByTestId("request-triage").getByRole("button").click();
  await expect(page.getByTestId("request-triage-done")).toContainText("created");
  const url = await page.getByTestId("upgrade-url-triage").inputValue();

  const tenantAdmin = (await sim.directory()).customers.find((t) => t.id === c.tenantId)!.users.find((u) => u.isAdmin)!;
  const customer = await customerBrowser(browser);
  await customer.goto(url);
  await expect(customer.getByTestId("onboarding-upgrade")).toContainText("Incident updates (triage)");
  await expect(customer.getByTestId("onboarding-permissions").locator("li")).toHaveCount(1);
  await expect(customer.getByTestId("onboarding-permissions")).toContainText("Incident.ReadWrite.All");
  await customer.getByTestId("grant-consent").click();
  await customer.getByRole("button", { name: `Sign in as ${tenantAdmin.upn}` }).click();
  await customer.getByRole("button", { name: "Accept" }).click();
  await expect(customer.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "PERMISSIONS_UPDATED");

  await page.reload();
  await expect(page.getByTestId("capability-triage")).toHaveAttribute("data-granted", "true");
  await expect(page.getByTestId("customer-status")).toHaveText("Consented");
  await page.goto(`/incidents/${incident.id}`);
  await expect(page.getByTestId("triage-unavailable").filter({ visible: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Save|Update|Apply/ }).first()).toBeVisible();
});

test("a permission removed in the customer's tenant shows on its page after one sync", async ({ page, sim, data }) => {
  const c = await data.consentedCustomer("Drift", { sync: true });
  await sim.setRoles(c.tenantId, "https://graph.microsoft.com", ["SecurityIncident.Read.All"]);
  await data.syncCustomer(c.id);
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  await page.goto(`/customers/${c.id}`);
  await expect(page.getByTestId("permissions-missing-since")).toContainText("SecurityAlert.Read.All");
});

test("HEAD never writes and never uses a link up", async ({ request, sim, data }) => {
  const t = await sim.createTenant(uniqueTenantName("Head"));
  await sim.grantConsent(t.id);
  const c = await customerWithLink(data, t.id);
  const before = await ledgerRows(data);
  for (const url of [`/consent/callback?admin_consent=True&tenant=${t.id}&state=${c.state}`, `/consent/callback?state=garbage`]) {
    const res = await request.head(url, { maxRedirects: 0 });
    expect(res.status()).toBe(204);
  }
  expect(await ledgerRows(data)).toEqual(before);
  const req = await data.prisma.consentRequest.findFirstOrThrow({ where: { customerId: c.id } });
  expect(req.usedAt).toBeNull();
});

test("an anonymous flood of callbacks with unknown states writes no row", async ({ request, data }) => {
  const before = await ledgerRows(data);
  const statuses = new Set<number>();
  for (let i = 0; i < 60; i++) {
    // A client address of its own (the suite trusts 127.0.0.1 as a proxy): the flood must not use up the browser's budget.
    const res = await request.get(
      `/consent/callback?admin_consent=True&tenant=00000000-0000-4000-8000-${String(i).padStart(12, "0")}&state=${"A".repeat(42)}${i % 10}`,
      {
        maxRedirects: 0,
        headers: { "x-forwarded-for": "198.51.100.77" },
      },
    );
    statuses.add(res.status());
  }
  // 303 to the "not accepted" page, or 429 once the per-client limit is reached: never a write.
  expect([...statuses].every((s) => s === 303 || s === 429)).toBe(true);
  expect(await ledgerRows(data)).toEqual(before);
});

test("free text in a callback's error is never displayed, to the customer or the partner", async ({ page, browser, sim, data }) => {
  const c = await customerWithLink(data);
  const customer = await customerBrowser(browser);
  const text = "Your tenant is compromised, call 555-0100 now";
  await customer.goto(`/consent/callback?error=${encodeURIComponent(text)}&error_description=${encodeURIComponent(`AADSTS65004 ${text}`)}&state=${c.state}`);
  await expect(customer.getByTestId("consent-outcome")).toBeVisible();
  await expect(customer.locator("body")).not.toContainText("555-0100");
  await customer.goto(`/consent/callback?error=server_error&error_description=${encodeURIComponent(`AADSTS50000 ${text}`)}&state=${c.state}`);
  await expect(customer.locator("body")).not.toContainText("555-0100");

  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  for (const path of [`/customers/${c.id}`, "/overview", "/customers"]) {
    await page.goto(path);
    await expect(page.locator("body")).not.toContainText("555-0100");
  }
});

test("a callback naming no link of the portal's lands on a plain page", async ({ page }) => {
  await page.goto(`/consent/callback?admin_consent=True&state=${"B".repeat(43)}`);
  await expect(page.getByTestId("consent-outcome")).toHaveAttribute("data-outcome", "INVALID");
  await expect(page.getByTestId("consent-reason")).toContainText("Nothing was recorded");
});
