import { randomUUID } from "node:crypto";
import { expect, incidentRows, partnerUsers, ROW_SELECT, signIn, test } from "./fixtures.ts";

/**
 * Bulk triage across customers, run by the worker on pg-boss: rows picked on the queue and "all matching this
 * filter", the job page's live progress and per-incident results (a customer without Incident.ReadWrite.All is
 * skipped with the way to ask); the entity summary of the incident page with hostile evidence; an analyst cannot
 * open another analyst's job of a customer outside their scope.
 */
const TRIAGE_ROLES = {
  "https://api.security.microsoft.com": ["Incident.Read.All", "Incident.ReadWrite.All"],
  "https://api.securitycenter.microsoft.com": ["Alert.Read.All"],
  "https://graph.microsoft.com": ["SecurityIncident.Read.All", "SecurityAlert.Read.All"],
};

/** Every other customer's feeds become not due, so the worker started here spends its time on bulk jobs. */
async function quietOtherFeeds(data: Parameters<Parameters<typeof test>[2]>[0]["data"]) {
  const later = new Date(Date.now() + 3_600_000);
  const customers = await data.prisma.customer.findMany({ select: { id: true } });
  for (const c of customers) {
    for (const feed of ["incidents", "alerts"]) {
      await data.prisma.syncState.upsert({
        where: { customerId_feed: { customerId: c.id, feed } },
        create: { customerId: c.id, feed, source: "graph", nextRunAt: later },
        update: { nextRunAt: later, running: false },
      });
    }
  }
}

test("an analyst picks rows across customers, runs a bulk job and watches it finish; then all matching a filter", async ({ page, sim, data }) => {
  test.setTimeout(150_000);
  const { analyst } = await partnerUsers(sim);
  const t = await data.consentedCustomer("BulkRW", { sync: true, roles: TRIAGE_ROLES });
  const r = await data.consentedCustomer("BulkRO", { sync: true });
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst.oid, [t.id, r.id]);
  await quietOtherFeeds(data);
  const { startSyncWorker } = await import("../../lib/sync/worker.ts");
  const worker = await startSyncWorker({ databaseUrl: process.env.DATABASE_URL!, concurrency: 1, schedulerIntervalMs: 500 });
  try {
    await page.goto(`/incidents?customer=${t.id},${r.id}&range=all`);
    const rows = incidentRows(page);
    await expect(rows.first()).toBeVisible();
    // Select all on the page, then clear it: the count follows.
    await page.getByTestId("select-all").check();
    await expect(page.getByTestId("bulk-selected-count")).toHaveText(`${await rows.count()} selected`);
    await page.getByTestId("select-all").uncheck();
    await expect(page.getByTestId("bulk-selected-count")).toHaveText("0 selected");

    await rows.filter({ hasText: t.displayName }).nth(0).locator(ROW_SELECT).check();
    await rows.filter({ hasText: t.displayName }).nth(1).locator(ROW_SELECT).check();
    await rows.filter({ hasText: r.displayName }).nth(0).locator(ROW_SELECT).check();
    await expect(page.getByTestId("bulk-selected-count")).toHaveText("3 selected");
    await page.getByTestId("bulk-open").click();
    const form = page.getByTestId("bulk-form");
    await form.getByLabel("Status").selectOption("InProgress");
    await form.getByLabel("Assignment").selectOption("me");
    await form.getByLabel("Comment").fill("Bulk triage from the e2e suite");
    await form.getByTestId("bulk-submit").click();

    await expect(page).toHaveURL(/\/incidents\/bulk\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("bulk-progress")).toHaveAttribute("data-status", "finished", { timeout: 60_000 });
    await expect(page.getByTestId("bulk-summary")).toContainText("3 of 3 processed — 2 done, 1 skipped, 0 failed");
    const items = page.getByTestId("bulk-item");
    await expect(items).toHaveCount(3);
    await expect(items.filter({ hasText: t.displayName })).toHaveCount(2);
    for (const row of await items.filter({ hasText: t.displayName }).all()) await expect(row).toHaveAttribute("data-status", "done");
    const skipped = items.filter({ hasText: r.displayName });
    await expect(skipped).toHaveAttribute("data-status", "skipped");
    await expect(skipped).toContainText("Incident.ReadWrite.All");
    await expect(skipped).toContainText("Ask a partner admin");

    const jobId = page.url().split("/").pop()!;
    const done = await data.prisma.bulkJobItem.findMany({ where: { jobId, status: "done" }, select: { sourceId: true } });
    const truth = (await sim.incidents(t.tenantId)) as { incidents: { incidentId: number; status: string; assignedTo: string | null }[] };
    for (const d of done)
      expect(truth.incidents.find((i) => String(i.incidentId) === d.sourceId)).toMatchObject({ status: "InProgress", assignedTo: analyst.upn });
    expect(await data.prisma.auditEntry.count({ where: { action: "bulk.triage", detail: { path: ["jobId"], equals: jobId } } })).toBe(1);

    // Every incident matching a filter (one customer, one title): as many items as the queue counts.
    const one = await data.prisma.incident.findFirstOrThrow({ where: { customerId: t.id }, orderBy: { sourceId: "asc" } });
    await page.goto(`/incidents?customer=${t.id}&range=all&q=${encodeURIComponent(one.title.slice(0, 40))}`);
    const total = Number((await page.getByTestId("result-count").innerText()).split(" ")[0]!.replace(/,/g, ""));
    expect(total).toBeGreaterThan(0);
    await page.getByTestId("bulk-open").click();
    await page.getByTestId("bulk-scope-filter").check();
    await form.getByLabel("Add tags (comma separated)").fill("bulk-e2e");
    await form.getByTestId("bulk-submit").click();
    await expect(page).toHaveURL(/\/incidents\/bulk\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("bulk-progress")).toHaveAttribute("data-status", "finished", { timeout: 60_000 });
    await expect(page.getByTestId("bulk-item")).toHaveCount(total);
    await expect(page.getByTestId("bulk-summary")).toContainText(`${total} of ${total} processed — ${total} done`);

    await page.goto("/incidents/bulk");
    expect(await page.getByTestId("bulk-job-row").count()).toBeGreaterThanOrEqual(2);
  } finally {
    await worker.stop();
  }
});

test("the entity summary lists devices, users and processes with command lines across alerts; hostile evidence stays text", async ({ page, sim, data }) => {
  test.setTimeout(90_000);
  const MARK = "ent" + Math.random().toString(36).slice(2, 8);
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("Entities");
  await sim.injectIncident(c.tenantId, {
    title: `Entities ${MARK}`,
    processCommandLine: `cmd.exe /c <img src=x onerror="window.${MARK}=1" id="${MARK}"> & whoami`,
    accountName: `<script>window.${MARK}=2</script>`,
    deviceDnsName: `host-${MARK}.contoso.local`,
    extraAlerts: 2,
  });
  await data.syncCustomer(c.id);
  const incident = await data.prisma.incident.findFirstOrThrow({ where: { customerId: c.id, title: { contains: MARK } } });
  await signIn(page, admin.upn);
  await page.goto(`/incidents/${incident.id}`);
  const summary = page.getByTestId("entity-summary").filter({ visible: true });
  await expect(summary).toBeVisible();
  await expect(summary.getByTestId("entities-device")).toContainText(`host-${MARK}.contoso.local`);
  await expect(summary.getByTestId("entities-user")).toBeVisible();
  await expect(summary.getByTestId("entities-process")).toBeVisible();
  await expect(summary.getByTestId("entity-command-line").filter({ hasText: "onerror" }).first()).toContainText(`<img src=x onerror="window.${MARK}=1"`);
  await expect(summary).toContainText(`<script>window.${MARK}=2</script>`);
  // Each device once however many alerts name it (the simulator gives every device of the incident this name, so
  // there are as many entries as distinct device ids in the stored alerts).
  const stored = await data.prisma.alert.findMany({ where: { incidentId: incident.id }, select: { payload: true } });
  const deviceIds = new Set(stored.flatMap((a) => ((a.payload as { devices?: { id: string | null }[] }).devices ?? []).map((d) => d.id)));
  expect(stored.length).toBeGreaterThan(1);
  await expect(
    summary
      .getByTestId("entities-device")
      .getByTestId("entity")
      .filter({ hasText: `host-${MARK}` }),
  ).toHaveCount(deviceIds.size);
  const alertsWithDevices = stored.filter((a) => ((a.payload as { devices?: unknown[] }).devices ?? []).length > 0).length;
  if (alertsWithDevices > 1) await expect(summary.getByTestId("entities-device").getByTestId("entity").first()).toContainText(`In ${alertsWithDevices} alerts`);
  const raw = summary.getByTestId("entities-process").getByTestId("entity").first().locator("details");
  await raw.locator("summary").click();
  await expect(raw).toHaveAttribute("open", "");
  expect(
    await page.evaluate(
      (mark) => ({ flag: (window as unknown as Record<string, unknown>)[mark] ?? null, elements: document.querySelectorAll(`[id="${mark}"]`).length }),
      MARK,
    ),
  ).toEqual({ flag: null, elements: 0 });
});

test("an analyst cannot open another analyst's bulk job of a customer outside their scope", async ({ page, sim, data }) => {
  const { analyst } = await partnerUsers(sim);
  const mine = await data.consentedCustomer("BulkMine", { sync: true });
  const theirs = await data.consentedCustomer("BulkTheirs", { sync: true });
  await signIn(page, analyst.upn);
  await data.assignOnly(analyst.oid, [mine.id]);
  const partnerId = (await data.adminViewer()).partnerId;
  const other = await data.prisma.portalUser.create({
    data: { id: randomUUID(), partnerId, entraObjectId: randomUUID(), email: `other-${randomUUID()}@e2e`, displayName: "Other analyst", role: "ANALYST" },
  });
  await data.prisma.analystAssignment.create({ data: { userId: other.id, customerId: theirs.id } });
  const { createBulkJob } = await import("../../lib/data/bulk.ts");
  const ids = (await data.prisma.incident.findMany({ where: { customerId: theirs.id }, take: 2, select: { id: true } })).map((i) => i.id);
  const job = await createBulkJob(
    { userId: other.id, partnerId, name: "Other", email: other.email, role: "ANALYST", customerScope: [theirs.id] },
    { fields: { status: "InProgress" }, ids },
  );
  expect(job.ok).toBe(true);
  const jobId = job.ok ? job.value.id : "";
  const res = await page.request.get(`/incidents/bulk/${jobId}`);
  expect(res.status()).toBe(404);
  const body = await res.text();
  for (const secret of [theirs.displayName, ...ids]) expect(body).not.toContain(secret);
  await page.goto("/incidents/bulk");
  await expect(page.getByTestId("bulk-jobs")).toBeVisible();
  await expect(page.locator(`a[href="/incidents/bulk/${jobId}"]`)).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(theirs.displayName);
});
