import { expect, partnerUsers, signIn, test } from "./fixtures.ts";

test("an analyst filters the cross-tenant queue, opens an incident and sees its alerts and evidence", async ({ page, sim, data }) => {
  const { analyst } = await partnerUsers(sim);
  const a = await data.consentedCustomer("Queue", { sync: true });
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst.oid, [a.id]);

  await page.getByRole("link", { name: "Incidents", exact: true }).click();
  await page.getByLabel("Last updated").selectOption("all");
  await page.getByRole("button", { name: "Apply filters" }).click();
  const rows = page.getByTestId("incident-row");
  await expect(rows.first()).toBeVisible();
  const total = Number((await page.getByTestId("result-count").innerText()).split(" ")[0]!.replace(/,/g, ""));
  expect(total).toBeGreaterThan(0);

  await page.getByRole("checkbox", { name: "High" }).check();
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/severity=high/);
  const severities = await page.getByTestId("incident-row").getByTestId("severity").allInnerTexts();
  expect(severities.length).toBeGreaterThan(0);
  expect(new Set(severities)).toEqual(new Set(["High"]));

  await page.getByTestId("incident-row").first().getByRole("link").first().click();
  await expect(page.getByTestId("incident-title")).toBeVisible();
  await expect(page.getByTestId("fresh-notice")).toBeVisible();
  await expect(page.getByTestId("incident-alert").first()).toBeVisible();
  await expect(page.getByTestId("evidence").first()).toBeVisible();
  await expect(page.getByRole("link", { name: /Open in Microsoft Defender portal/ })).toHaveAttribute("href", /^https:\/\/security\.microsoft\.com\//);
});

test("a customer's health says in plain words that consent was revoked", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("Revoked", { sync: true });
  await sim.revokeConsent(c.tenantId);
  await data.syncCustomer(c.id);
  await signIn(page, admin.upn);
  await page.goto(`/customers/${c.id}`);
  await expect(page.getByTestId("customer-status")).toHaveText("Revoked");
  await expect(page.getByTestId("status-reason")).toContainText("Consent was revoked in the customer's tenant");
  await expect(page.getByTestId("status-reason")).toContainText("AADSTS700016");
  await expect(page.getByTestId("sync-row").first()).toHaveAttribute("data-failing", "true");
  await page.goto("/overview");
  await expect(page.getByTestId("attention-list")).toContainText(c.displayName);
});

test("a tenant without a Defender licence is flagged, not hidden", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("NoLicence", { defenderLicence: false });
  await signIn(page, admin.upn);
  await page.goto(`/customers/${c.id}`);
  await expect(page.getByTestId("customer-status")).toHaveText("Error");
  await expect(page.getByTestId("status-reason")).toContainText("AADSTS500011");
});
