import { expect, partnerUsers, signIn, test } from "./fixtures.ts";

/**
 * Advanced hunting across customers, run by the worker on pg-boss against the simulator's Graph runHuntingQuery:
 * three customers — one answers, one never granted hunting, one out of its CPU quota — with live per-customer
 * progress, typed results, CSV and JSON export; a query with an operator Microsoft does not support shows Microsoft's
 * message; a query saved and shared; hostile customer text stays text.
 */
const GRAPH = "https://graph.microsoft.com";
const READ = {
  "https://api.security.microsoft.com": ["Incident.Read.All"],
  "https://api.securitycenter.microsoft.com": ["Alert.Read.All"],
  [GRAPH]: ["SecurityIncident.Read.All", "SecurityAlert.Read.All"],
};
const HUNT = { ...READ, [GRAPH]: [...READ[GRAPH], "ThreatHunting.Read.All"] };

async function simPut(path: string, body: unknown) {
  const res = await fetch(`${process.env.E2E_SIM_URL}/_sim${path}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.ok, `${path}: ${res.status}`).toBe(true);
}

test("an admin hunts across three customers: rows of the one that answers, the others' reasons, export; Microsoft's syntax message", async ({
  page,
  sim,
  data,
}) => {
  test.setTimeout(150_000);
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  await expect(page).toHaveURL(/\/overview$/);
  const answers = await data.consentedCustomer('Hunt <img src=x onerror="window.__xss=1">', { roles: HUNT });
  const notGranted = await data.consentedCustomer("Hunt NoGrant", { roles: READ });
  const throttled = await data.consentedCustomer("Hunt Quota", { roles: HUNT });
  await simPut(`/tenants/${throttled.tenantId}/hunting`, { cpuBudgetMsPer15Min: 0 });
  // The worker started here spends its time on hunts, not on syncing every customer of the suite.
  const later = new Date(Date.now() + 3_600_000);
  for (const c of await data.prisma.customer.findMany({ select: { id: true } }))
    for (const feed of ["incidents", "alerts"])
      await data.prisma.syncState.upsert({
        where: { customerId_feed: { customerId: c.id, feed } },
        create: { customerId: c.id, feed, source: "graph", nextRunAt: later },
        update: { nextRunAt: later, running: false },
      });
  const { startSyncWorker } = await import("../../lib/sync/worker.ts");
  const worker = await startSyncWorker({ databaseUrl: process.env.DATABASE_URL!, concurrency: 1, schedulerIntervalMs: 500 });
  try {
    await page.getByTestId("nav-hunting").click();
    await expect(page).toHaveURL(/\/hunting$/);
    await page.getByTestId("starter-hunts").getByRole("link", { name: "Device inventory" }).click();
    await expect(page.getByTestId("hunt-source")).toHaveText("Starter: Device inventory");
    await expect(page.getByTestId("kql-editor")).toHaveValue(/^DeviceInfo/);
    await expect(page.getByTestId("kql-gutter")).toContainText("1\n2\n3");
    await page.getByTestId("hunt-scope-pick").check();
    for (const c of [answers, notGranted, throttled]) {
      await page.getByRole("textbox", { name: "Find a customer" }).fill(c.displayName.slice(0, 14));
      await page.getByRole("option").filter({ hasText: c.displayName }).getByRole("button").click();
    }
    await page.getByTestId("hunt-timespan").selectOption("P30D");
    // Ctrl-Enter in the editor runs the hunt.
    await page.getByTestId("kql-editor").press("Control+Enter");
    await expect(page).toHaveURL(/\/hunting\/runs\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("hunt-status")).toHaveText("Finished", { timeout: 60_000 });
    await expect(page.getByTestId("hunt-summary")).toContainText("3 of 3 customers finished · 1 answered · 1 failed · 1 skipped");

    const tenant = (reason: string) => page.locator(`[data-testid="hunt-tenant"][data-reason="${reason}"]`);
    await expect(tenant("not_granted")).toContainText(notGranted.displayName);
    await expect(tenant("not_granted")).toContainText("Hunting not granted");
    await expect(tenant("not_granted").getByTestId("hunt-ask-permission")).toHaveAttribute("href", `/customers/${notGranted.id}#capabilities`);
    await expect(tenant("throttled")).toContainText(throttled.displayName);
    await expect(tenant("throttled")).toContainText(/quota/i);

    // Results: Customer first, Microsoft's columns typed (a date column as <time>), only the customer that answered.
    const table = page.getByTestId("hunt-results");
    await expect(table.locator("thead th").first()).toHaveText(/^Customer/);
    await expect(table.locator("thead th").nth(1)).toContainText("DeviceName");
    const rows = page.getByTestId("hunt-row");
    await expect(rows.first()).toBeVisible();
    const customers = await page.getByTestId("hunt-row-customer").allTextContents();
    expect(new Set(customers)).toEqual(new Set([answers.displayName]));
    await expect(rows.first().locator("time")).toHaveCount(1);
    // Sorting is the server's: DeviceName descending.
    await table.locator("thead th").nth(1).getByRole("link").click();
    await expect(table.locator("thead th").nth(1)).toContainText("▲");
    await table.locator("thead th").nth(1).getByRole("link").click();
    await expect(table.locator("thead th").nth(1)).toContainText("▼");
    const names = await rows.locator("td:nth-child(2)").allTextContents();
    expect(names).toEqual([...names].sort().reverse());
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

    const csv = await page.request.get((await page.getByTestId("hunt-export-csv").getAttribute("href"))!);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-disposition"]).toMatch(/attachment; filename="hunt-[0-9a-f]{8}\.csv"/);
    const csvText = await csv.text();
    expect(csvText.split("\r\n")[0]).toBe('\uFEFF"Customer","DeviceName","OSPlatform","LastSeen"');
    expect(csvText).toContain(answers.displayName.replace(/"/g, `""`));
    expect(csvText).not.toContain(notGranted.displayName);
    const json = (await (await page.request.get((await page.getByTestId("hunt-export-json").getAttribute("href"))!)).json()) as {
      rows: Record<string, unknown>[];
    };
    expect(json.rows.length).toBe(csvText.trim().split("\r\n").length - 1);
    expect(json.rows[0]!.Customer).toBe(answers.displayName);

    // An operator Microsoft does not support: Microsoft's 400 message, shown as text, for the customer asked.
    await page.getByTestId("hunt-edit").click();
    await expect(page.getByTestId("kql-editor")).toHaveValue(/^DeviceInfo/);
    await page.getByTestId("kql-editor").fill("DeviceInfo\n| join kind=inner (DeviceProcessEvents) on DeviceId");
    await page.getByTestId("hunt-scope-pick").check();
    await page.getByRole("textbox", { name: "Find a customer" }).fill(answers.displayName.slice(0, 14));
    await page.getByRole("option").filter({ hasText: answers.displayName }).getByRole("button").click();
    await page.getByTestId("hunt-run").click();
    await expect(page.getByTestId("hunt-status")).toHaveText("Finished", { timeout: 60_000 });
    const failed = page.locator('[data-testid="hunt-tenant"][data-reason="query_error"]');
    await expect(failed).toContainText("Query error");
    await expect(failed.getByTestId("hunt-tenant-message")).toContainText(/Microsoft rejected the query: .*join/);
    await expect(page.getByTestId("hunt-no-results")).toBeVisible();

    // Save the query, shared; it is listed, and the history lists both hunts.
    await page.getByTestId("hunt-edit").click();
    await page.locator("summary", { hasText: "Save this query" }).click();
    await page.getByTestId("hunt-save-name").fill("Join attempt");
    await page.getByTestId("hunt-save-shared").check();
    await page.getByTestId("hunt-save").click();
    await expect(page.getByTestId("hunt-save-done")).toContainText("Saved");
    await page.goto("/hunting");
    await expect(page.getByTestId("saved-hunts")).toContainText("Join attempt");
    await expect(page.getByTestId("hunt-history").getByRole("listitem")).toHaveCount(2);
  } finally {
    await worker.stop({ timeoutMs: 10_000 });
  }
});

test("a hunt's form errors are said next to the field, and nothing starts", async ({ page, sim, data }) => {
  const { analyst } = await partnerUsers(sim);
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst.oid, []);
  await page.goto("/hunting");
  const before = await data.prisma.huntRun.count();
  await page.getByTestId("kql-editor").fill("   ");
  await page.getByTestId("hunt-run").click();
  await expect(page.getByText("Write a KQL query first.")).toBeVisible();
  await page.getByTestId("kql-editor").fill("DeviceInfo | take 1");
  await page.getByTestId("hunt-scope-pick").check();
  await page.getByTestId("hunt-run").click();
  await expect(page.getByText("Pick at least one customer.")).toBeVisible();
  await page.getByTestId("hunt-scope-all").check();
  await page.getByTestId("hunt-run").click();
  await expect(page.getByTestId("hunt-run-error")).toHaveText("You have no customers to hunt in yet.");
  expect(await data.prisma.huntRun.count()).toBe(before);
});
