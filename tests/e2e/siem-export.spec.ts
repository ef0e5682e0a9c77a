import { readFileSync } from "node:fs";
import { expect, partnerUsers, signIn, test } from "./fixtures.ts";

test("the deprecated SIEM importer pulls a customer's detections, explains bad input, and downloads CSV and JSON", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("Siem");
  await signIn(page, admin.upn);
  await page.goto(`/customers/${c.id}`);
  await page.getByRole("link", { name: "Open the importer" }).click();
  await expect(page.getByTestId("deprecated-label")).toHaveText(/deprecated/i);

  await page.getByLabel("Ago (ISO 8601 duration)").fill("ten minutes");
  await page.getByRole("button", { name: "Pull detections" }).click();
  await expect(page.locator("#ago-error")).toContainText("ISO 8601 duration");

  await page.getByLabel("Ago (ISO 8601 duration)").fill("P365D");
  await page.getByRole("button", { name: "Pull detections" }).click();
  await expect(page.getByTestId("siem-count")).toBeVisible();
  const count = Number((await page.getByTestId("siem-count").innerText()).split(" ")[0]!.replace(/,/g, ""));
  expect(count).toBeGreaterThan(0);

  const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("siem-csv").click()]);
  const csv = readFileSync((await csvDownload.path())!, "utf8");
  expect(csv.startsWith('\uFEFF"AlertId","AlertTime"')).toBe(true);
  expect(csv.trim().split("\r\n")).toHaveLength(count + 1);

  const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("siem-json").click()]);
  const detections = JSON.parse(readFileSync((await jsonDownload.path())!, "utf8")) as { AlertId: string }[];
  expect(detections).toHaveLength(count);

  // The pull is audited against the customer.
  const audit = await data.prisma.auditEntry.findMany({ where: { customerId: c.id, action: "siem.pulled" } });
  expect(audit.length).toBeGreaterThanOrEqual(3);
});

test("the incident queue exports exactly what the filters show, as CSV", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("Export", { sync: true });
  await signIn(page, admin.upn);
  await page.goto(`/incidents?customer=${c.id}&range=all`);
  const total = Number((await page.getByTestId("result-count").innerText()).split(" ")[0]!.replace(/,/g, ""));
  expect(total).toBeGreaterThan(0);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  expect(download.suggestedFilename()).toMatch(/^incidents-[\d-]+\.csv$/);
  const lines = readFileSync((await download.path())!, "utf8")
    .trim()
    .split("\r\n");
  expect(lines).toHaveLength(total + 1);
  expect(lines.slice(1).every((l) => l.startsWith(`"${c.displayName}"`))).toBe(true);

  await page.goto(`/alerts?customer=${c.id}&range=all`);
  const [alerts] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  expect(alerts.suggestedFilename()).toMatch(/^alerts-[\d-]+\.csv$/);
});
