import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, incidentRows, partnerUsers, QUEUE_CELL, ROW_SELECT, signIn, test, uniqueTenantName } from "./fixtures.ts";

/**
 * Issue #10 §1, §5, §6 through the browser: an admin builds a customer group and assigns an analyst to it; the
 * analyst's queue is exactly the group's customers; the group filter narrows the queue, the overview and the export;
 * My queue, saved views and j/k/o keyboard navigation; the audit log filters and downloads a formula-safe CSV; and an
 * analyst is refused the admin pages and actions.
 */
test.describe.configure({ timeout: 120_000 });

function actionIds(names: RegExp): [string, string][] {
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as { node: Record<string, { exportedName?: string }> };
  return Object.entries(manifest.node)
    .filter(([, v]) => names.test(v.exportedName ?? ""))
    .map(([id, v]) => [id, v.exportedName!]);
}

async function resultCount(page: Page): Promise<number> {
  return Number((await page.getByTestId("result-count").innerText()).split(" ")[0]!.replace(/[,+]/g, ""));
}

test("groups scope analysts and filter queue, overview and export; My queue, saved views and keyboard navigation work", async ({
  page,
  browser,
  sim,
  data,
}) => {
  const { admin, analyst } = await partnerUsers(sim);
  const g1 = await data.consentedCustomer("GroupOne", { sync: true });
  const g2 = await data.consentedCustomer("GroupTwo", { sync: true });
  const out = await data.consentedCustomer("Outsider", { sync: true });

  // The analyst has signed in (so can be assigned) and has no direct assignment: whatever they see comes from the group.
  const analystContext = await browser.newContext();
  const analystPage = await analystContext.newPage();
  await signIn(analystPage, analyst.upn);
  await expect(analystPage).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst.oid, []);

  await signIn(page, admin.upn);
  await page.getByRole("link", { name: "Groups", exact: true }).click();
  const groupName = `Gold 24x7 ${randomUUID().slice(0, 8)}`;
  await page.getByTestId("group-create-form").getByLabel("Name").fill(groupName);
  await page.getByTestId("group-create-form").getByLabel("Description").fill("Round the clock");
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page).toHaveURL(/\/settings\/groups\/[0-9a-f-]{36}$/);
  const groupId = page.url().split("/").pop()!;

  // Add g1 from the group page (found by name).
  await page.getByLabel("Find customers by name").fill(g1.displayName);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByTestId("group-add-customers").getByLabel(g1.displayName).check();
  await page.getByRole("button", { name: "Add selected customers" }).click();
  await expect(page.getByTestId("group-members")).toContainText(g1.displayName);
  // Add g2 from the customer page's membership control.
  await page.goto(`/customers/${g2.id}`);
  await page.getByTestId("customer-groups-form").getByLabel(groupName).check();
  await page.getByRole("button", { name: "Save groups" }).click();
  await expect(page.getByTestId("customer-groups-done")).toBeVisible();
  // Assign the analyst to the group.
  await page.goto(`/settings/groups/${groupId}`);
  await expect(page.getByTestId("group-members")).toContainText(g2.displayName);
  const analystRow = await data.prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: analyst.oid } });
  await page.getByTestId("group-analysts-form").getByLabel(analystRow.displayName).check();
  await page.getByRole("button", { name: "Save analysts" }).click();
  await expect(page.getByTestId("group-analysts-done")).toBeVisible();
  await page.goto("/settings/users");
  await expect(page.locator(`[data-testid="staff-row"][data-email="${analystRow.email}"]`).getByTestId("staff-groups")).toContainText(groupName);

  // The analyst sees exactly the group's customers' incidents (on the next request, no new sign-in).
  const inGroup = await data.prisma.incident.count({ where: { customerId: { in: [g1.id, g2.id] } } });
  expect(inGroup).toBeGreaterThan(0);
  await analystPage.goto("/incidents?range=all");
  expect(await resultCount(analystPage)).toBe(inGroup);
  const shown = new Set(await incidentRows(analystPage).locator(QUEUE_CELL.customer).allInnerTexts());
  expect([...shown].every((n) => n === g1.displayName || n === g2.displayName)).toBe(true);
  expect((await analystPage.request.get(`/customers/${out.id}`)).status()).toBe(404);

  // The admin's group filter: queue, overview, export.
  await page.goto("/incidents?range=all");
  await page.getByTestId("group-filter").selectOption(groupId);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`group=${groupId}`));
  expect(await resultCount(page)).toBe(inGroup);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  const csv = readFileSync((await download.path())!, "utf8");
  expect(csv).toContain(g1.displayName);
  expect(csv).not.toContain(out.displayName);
  expect(csv.split(g1.displayName).length - 1 + csv.split(g2.displayName).length - 1).toBe(inGroup);
  await page.goto("/overview");
  await page.getByTestId("group-filter").selectOption(groupId);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`group=${groupId}`));
  expect(new Set(await page.getByTestId("overview-row").locator("td:first-child").allInnerTexts())).toEqual(new Set([g1.displayName, g2.displayName]));

  // My queue: the incident assigned to the analyst's e-mail, and only that.
  const mine = await data.prisma.incident.findFirstOrThrow({ where: { customerId: g1.id }, orderBy: { id: "asc" } });
  await data.prisma.incident.updateMany({ where: { assignedTo: { equals: analystRow.email, mode: "insensitive" } }, data: { assignedTo: null } });
  await data.prisma.incident.update({ where: { id: mine.id }, data: { assignedTo: analystRow.email.toUpperCase(), status: "active" } });
  await analystPage.getByTestId("nav-my-queue").click();
  await expect(analystPage).toHaveURL(/assigned=me/);
  await expect(incidentRows(analystPage)).toHaveCount(1);
  await expect(incidentRows(analystPage)).toContainText(`#${mine.sourceId}`);

  // A saved view, shared with the team, reopened later.
  await analystPage.goto("/incidents?severity=high,medium&range=all");
  await analystPage.getByTestId("save-view-open").click();
  const viewName = `High+medium ${randomUUID().slice(0, 6)}`;
  await analystPage.getByPlaceholder("View name").fill(viewName);
  await analystPage.getByLabel("Share with the team").check();
  await analystPage.getByRole("button", { name: "Save view" }).click();
  await expect(analystPage.getByTestId("save-view-done")).toBeVisible();
  await analystPage.goto("/incidents");
  await analystPage.getByTestId("saved-view").getByRole("link", { name: viewName }).click();
  await expect(analystPage).toHaveURL(/severity=high%2Cmedium|severity=high,medium/);
  await expect(analystPage).toHaveURL(/range=all/);
  // The admin sees the shared view too and may delete it; the analyst's own edit control is there.
  await page.goto("/incidents");
  await expect(page.getByTestId("saved-view").filter({ hasText: viewName })).toBeVisible();

  // Keyboard: j/k move a visible focus, x toggles a row checkbox if present, o opens the focused row.
  await analystPage.goto("/incidents?range=all");
  const rows = incidentRows(analystPage);
  await expect(rows.nth(1)).toBeVisible();
  await analystPage.locator("body").press("j");
  await expect(rows.nth(0)).toHaveAttribute("data-kb-focused", "true");
  await analystPage.keyboard.press("j");
  await expect(rows.nth(1)).toHaveAttribute("data-kb-focused", "true");
  await expect(rows.nth(0)).not.toHaveAttribute("data-kb-focused", "true");
  await analystPage.keyboard.press("k");
  await expect(rows.nth(0)).toHaveAttribute("data-kb-focused", "true");
  // Typing in a field is not navigation.
  await analystPage.getByRole("combobox", { name: "Sort" }).focus();
  await analystPage.keyboard.press("j");
  await expect(rows.nth(0)).toHaveAttribute("data-kb-focused", "true");
  // x ticks the focused row's bulk-triage checkbox.
  await analystPage.getByRole("heading", { name: "Incidents" }).click();
  await analystPage.keyboard.press("x");
  await expect(rows.nth(0).locator(ROW_SELECT)).toBeChecked();
  await analystPage.keyboard.press("x");
  await expect(rows.nth(0).locator(ROW_SELECT)).not.toBeChecked();
  await analystPage.keyboard.press("?");
  await expect(analystPage.getByTestId("shortcuts-help")).toContainText("Open the focused row");
  const firstHref = await rows.nth(0).getByRole("link").first().getAttribute("href");
  await analystPage.keyboard.press("j");
  await analystPage.keyboard.press("k");
  await analystPage.keyboard.press("o");
  await expect(analystPage).toHaveURL(new RegExp(`${firstHref}$`));

  // Removing the analyst from the group takes the customers away on the next request.
  await page.goto(`/settings/groups/${groupId}`);
  await page.getByTestId("group-analysts-form").getByLabel(analystRow.displayName).uncheck();
  await page.getByRole("button", { name: "Save analysts" }).click();
  await expect(page.getByTestId("group-analysts-done")).toBeVisible();
  await analystPage.goto("/incidents?range=all");
  expect(await resultCount(analystPage)).toBe(0);
  await analystContext.close();
});

test("the audit log filters by action, actor and customer and downloads a formula-safe, audited CSV; analysts are refused", async ({
  page,
  browser,
  sim,
  data,
}) => {
  const { admin, analyst } = await partnerUsers(sim);
  const viewer = await data.adminViewer();
  const groups = await import("../../lib/data/groups.ts");
  // A customer whose name a spreadsheet would run as a formula, put into a group (an audited change naming it).
  const hostile = await data.customers.createCustomer(viewer, {
    displayName: `=HYPERLINK("http://x") ${uniqueTenantName("Evil").displayName}`,
    tenantOrDomain: "",
    region: "us",
  });
  if (!hostile.ok) throw new Error(JSON.stringify(hostile));
  const g = await groups.createGroup(viewer, { name: `Audit ${randomUUID().slice(0, 8)}` });
  if (!g.ok || !("value" in g)) throw new Error(JSON.stringify(g));
  await groups.setCustomerGroups(viewer, hostile.value.id, [g.value.id]);

  await signIn(page, admin.upn);
  await page.getByRole("link", { name: "Audit log", exact: true }).click();
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  await page.getByTestId("audit-action").selectOption("customer.groups_set");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/action=customer\.groups_set/);
  const actions = await page.getByTestId("audit-action-cell").allInnerTexts();
  expect(actions.length).toBeGreaterThan(0);
  expect(new Set(actions)).toEqual(new Set(["customer.groups_set"]));
  await expect(page.getByTestId("audit-table")).toContainText("Fixture");

  await page.goto(`/settings/audit?customer=${hostile.value.id}`);
  await expect(page.getByTestId("audit-row")).toHaveCount(2); // customer.created, customer.groups_set
  await expect(page.getByTestId("audit-table")).toContainText(`group`);
  const adminRow = await data.prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: admin.oid } });
  await page.goto(`/settings/audit?actor=${adminRow.id}`);
  expect(new Set(await page.getByTestId("audit-actor-cell").allInnerTexts())).toEqual(new Set([adminRow.displayName]));

  await page.goto(`/settings/audit?customer=${hostile.value.id}`);
  const exportsBefore = await data.prisma.auditEntry.count({ where: { action: "export.audit", actor: `user:${adminRow.id}` } });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  expect(download.suggestedFilename()).toMatch(/^audit-[\d-]+\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  expect(csv).toContain(`"'=HYPERLINK(""http://x"")`);
  expect(csv).not.toMatch(/(^|,)"=/m);
  expect(csv.trim().split("\r\n").length).toBe(3);
  await expect.poll(() => data.prisma.auditEntry.count({ where: { action: "export.audit", actor: `user:${adminRow.id}` } })).toBe(exportsBefore + 1);

  // An analyst: the admin pages are not found, the export refused, the admin actions denied when called by id.
  const context = await browser.newContext();
  const analystPage = await context.newPage();
  await signIn(analystPage, analyst.upn);
  await expect(analystPage).toHaveURL(/\/overview$/);
  for (const path of ["/settings/audit", "/settings/groups", `/settings/groups/${g.value.id}`])
    expect((await analystPage.request.get(path)).status(), path).toBe(404);
  expect((await analystPage.request.get("/api/audit/export")).status()).toBe(404);
  await expect(analystPage.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  const before = {
    groups: await data.prisma.customerGroup.count(),
    members: await data.prisma.customerGroupMember.count(),
    analysts: await data.prisma.analystGroupAssignment.count(),
  };
  const ids = actionIds(/^(createGroup|updateGroup|deleteGroup|addGroupCustomers|removeGroupCustomer|setGroupAnalysts|setCustomerGroups)Action$/);
  expect(ids.length).toBe(7);
  for (const [id, name] of ids) {
    const res = await analystPage.request.post("/overview", {
      headers: { "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
      data: JSON.stringify([g.value.id, hostile.value.id]),
      maxRedirects: 0,
    });
    expect(await res.text(), name).toMatch(/access_denied|bad_request/);
  }
  // deleteGroupAction takes one id: the clearest case of "denied", not "malformed".
  const del = ids.find(([, n]) => n === "deleteGroupAction")!;
  const res = await analystPage.request.post("/overview", {
    headers: { "Next-Action": del[0], "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
    data: JSON.stringify([g.value.id]),
    maxRedirects: 0,
  });
  expect(await res.text()).toContain("access_denied");
  expect({
    groups: await data.prisma.customerGroup.count(),
    members: await data.prisma.customerGroupMember.count(),
    analysts: await data.prisma.analystGroupAssignment.count(),
  }).toEqual(before);
  await context.close();
});
