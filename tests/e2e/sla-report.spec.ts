import { readFileSync } from "node:fs";
import { expect, incidentRows, partnerUsers, signIn, test } from "./fixtures.ts";

/** SLA clocks in the queue and on the incident page, the customer report (page, CSV, PDF), and the policy admin page. */
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test("queue SLA columns and breached filter, incident SLA state and change history, report with CSV and PDF", async ({ page, sim, data }) => {
  test.setTimeout(120_000);
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("SLA", { sync: true });
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await signIn(page, admin.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByTestId("overview-totals")).toContainText("SLA breached");

  // The simulator's incidents are days old and mostly unacknowledged: their deadlines have passed.
  await page.goto(`/incidents?customer=${c.id}&range=all`);
  await expect(page.getByRole("columnheader", { name: "SLA due" })).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "Time left" })).toBeVisible();
  await expect(page.getByTestId("sla-precision")).toContainText("one sync interval");
  await page.getByTestId("sla-filter").selectOption("breached");
  await page.getByLabel("Sort").selectOption("slaNextDueAt");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/sla=breached/);
  const rows = incidentRows(page);
  await expect(rows.first()).toBeVisible();
  const expected = await data.prisma.incident.count({ where: { customerId: c.id, slaNextDueAt: { lte: new Date() } } });
  expect(await rows.count()).toBe(Math.min(expected, 50));
  expect(await rows.getByTestId("sla-breached").count()).toBe(await rows.count());

  // A portal change in the history names its actor.
  const incidentId = (await rows.first().getByRole("link").first().getAttribute("href"))!.split("/").pop()!;
  const fixture = await data.adminViewer();
  await data.prisma.incidentChange.create({
    data: {
      incidentId,
      customerId: c.id,
      field: "status",
      oldValue: "active",
      newValue: "inProgress",
      origin: "portal",
      actor: `user:${fixture.userId}`,
      observedAt: new Date(),
    },
  });
  await rows.first().getByRole("link").first().click();
  await expect(page.getByTestId("incident-title").filter({ visible: true })).toBeVisible();
  const state = page.getByTestId("sla-state").filter({ visible: true });
  await expect(state.getByTestId("sla-ack")).toContainText("Due");
  await expect(state.getByTestId("sla-resolve")).toContainText(/Breached|left|Met/);
  await expect(state).toContainText("one sync interval");
  const history = page.getByTestId("change-history").filter({ visible: true });
  await expect(history.getByTestId("change-entry").first()).toBeVisible();
  await expect(history).toContainText("Incident first seen");
  await expect(history).toContainText("Microsoft");
  await expect(history).toContainText(`Portal by ${fixture.name}`);

  // The report over the last 360 days.
  await page.goto(`/customers/${c.id}`);
  await page.getByTestId("customer-report-link").click();
  await expect(page.getByTestId("customer-report")).toBeVisible();
  await page.getByLabel("From").fill(day(-360));
  await page.getByLabel("To").fill(day(0));
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/from=/);
  const total = await data.prisma.incident.count({ where: { customerId: c.id, createdTime: { gte: new Date(`${day(-360)}T00:00:00Z`) } } });
  expect(total).toBeGreaterThan(0);
  await expect(page.getByTestId("report-total")).toContainText(String(total));
  await expect(page.getByTestId("report-mtta")).toContainText("p50");
  await expect(page.getByTestId("report-sla")).toContainText("%");
  await expect(page.getByTestId("report-trend")).toBeVisible();
  await expect(page.getByTestId("report-titles").locator("tr").first()).toBeVisible();

  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("report-csv").click()]);
  const csvText = readFileSync((await csv.path())!, "utf8");
  expect(csvText).toContain('"totals","incidents"');
  expect(csvText).toContain(`"${total}"`);

  const [pdf] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.getByTestId("report-pdf").click()]);
  expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
  expect(
    readFileSync((await pdf.path())!)
      .subarray(0, 5)
      .toString("latin1"),
  ).toBe("%PDF-");

  // Recipients: validated, saved.
  await page.getByLabel("Monthly report recipients").fill("soc@example.com\nnot an address");
  await page.getByRole("button", { name: "Save recipients" }).click();
  await expect(page.getByTestId("recipients-error")).toContainText("Not an e-mail address");
  await page.getByLabel("Monthly report recipients").fill("soc@example.com");
  await page.getByRole("button", { name: "Save recipients" }).click();
  await expect(page.getByTestId("recipients-done")).toBeVisible();
  expect((await data.prisma.customer.findUniqueOrThrow({ where: { id: c.id } })).reportRecipients).toEqual(["soc@example.com"]);
  expect(dialogs).toEqual([]);
});

test("an analyst cannot open another customer's report; an admin edits the SLA policy", async ({ page, sim, data }) => {
  test.setTimeout(90_000);
  const { analyst, admin } = await partnerUsers(sim);
  const a = await data.consentedCustomer("ReportA");
  const b = await data.consentedCustomer("ReportB");
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst.oid, [a.id]);
  expect((await page.request.get(`/customers/${a.id}/report`)).status()).toBe(200);
  const other = await page.request.get(`/customers/${b.id}/report`);
  expect(other.status()).toBe(404);
  expect(await other.text()).not.toContain(b.displayName);
  expect((await page.request.get(`/api/customers/${b.id}/report/csv`)).status()).toBe(404);
  const pdf = await page.request.post(`/api/customers/${b.id}/report/pdf`, {
    form: { from: day(-30), to: day(0) },
    headers: { origin: process.env.E2E_APP_URL! },
  });
  expect(pdf.status()).toBe(404);
  // Rendering starts a Chromium: never from another site's form, and never on GET.
  const crossSite = await page.request.post(`/api/customers/${a.id}/report/pdf`, {
    form: { from: day(-30), to: day(0) },
    headers: { origin: "null", "sec-fetch-site": "cross-site" },
  });
  expect(crossSite.status()).toBe(403);
  expect((await page.request.get(`/api/customers/${a.id}/report/pdf`)).status()).toBe(405);
  expect((await page.request.get("/settings/sla")).status()).toBe(404);
  await page.context().clearCookies();

  await signIn(page, admin.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await page.getByRole("link", { name: "SLA policies" }).click();
  const form = page.getByTestId("sla-policy-default");
  await form.getByLabel("high acknowledge minutes").fill("30");
  await form.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByTestId("sla-policy-default-save-done")).toContainText("Saved");
  const partner = (await data.adminViewer()).partnerId;
  const saved = await data.prisma.slaPolicy.findFirstOrThrow({ where: { partnerId: partner, groupId: null } });
  expect((saved.targets as { high: { ackMinutes: number } }).high.ackMinutes).toBe(30);
  expect(await data.prisma.auditEntry.count({ where: { action: "sla.policy_default_saved" } })).toBeGreaterThan(0);

  // A bad value is refused next to its field; then back to the built-in default for the other specs.
  await form.getByLabel("high acknowledge minutes").fill("0");
  await form.getByRole("button", { name: "Save policy" }).click();
  await expect(form).toContainText("At least 1 minute");
  await form.getByRole("button", { name: "Reset to built-in default" }).click();
  await expect(page.getByTestId("sla-policy-default-remove-done")).toBeVisible();
  expect(await data.prisma.slaPolicy.count({ where: { partnerId: partner, groupId: null } })).toBe(0);
});
