import { expect, incidentRows, partnerUsers, QUEUE_CELL, signIn, test } from "./fixtures.ts";

test("an analyst filters the cross-tenant queue, opens an incident and sees its alerts and evidence", async ({ page, sim, data }) => {
  const { analyst } = await partnerUsers(sim);
  const a = await data.consentedCustomer("Queue", { sync: true });
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst.oid, [a.id]);

  await page.getByRole("link", { name: "Incidents", exact: true }).click();
  await page.getByLabel("Last updated").selectOption("all");
  await page.getByRole("button", { name: "Apply filters" }).click();
  const rows = incidentRows(page);
  await expect(rows.first()).toBeVisible();
  const total = Number((await page.getByTestId("result-count").innerText()).split(" ")[0]!.replace(/,/g, ""));
  expect(total).toBeGreaterThan(0);

  await page.getByRole("checkbox", { name: "High" }).check();
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/severity=high/);
  const severities = await incidentRows(page).locator(QUEUE_CELL.severity).allInnerTexts();
  expect(severities.length).toBeGreaterThan(0);
  expect(new Set(severities)).toEqual(new Set(["High"]));

  // The customer filter is a picker: type part of the name, pick it, apply.
  await page.getByLabel("Find a customer").fill(a.displayName.slice(0, 10));
  await page.getByRole("option").getByRole("button", { name: a.displayName }).click();
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`customer=${a.id}`));
  await expect(page.getByTestId("customer-picker")).toContainText(a.displayName);
  await expect(incidentRows(page).first()).toContainText(a.displayName);

  await incidentRows(page).first().getByRole("link").first().click();
  await expect(page.getByTestId("incident-title").filter({ visible: true })).toBeVisible();
  await expect(page.getByTestId("fresh-notice").filter({ visible: true })).toBeVisible();
  await expect(page.getByTestId("incident-alert").filter({ visible: true }).first()).toBeVisible();
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

test("Refresh now queues the customer's sync on the worker queue and shows it live until it is done", async ({ page, sim, data }) => {
  test.setTimeout(90_000);
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("Refresh");
  // Every other customer's feeds become not due, so the worker's first job is this one.
  await data.prisma.syncState.deleteMany({ where: { customerId: c.id } });
  const others = await data.prisma.customer.findMany({ where: { id: { not: c.id } }, select: { id: true } });
  const later = new Date(Date.now() + 3_600_000);
  for (const o of others) {
    for (const feed of ["incidents", "alerts"]) {
      await data.prisma.syncState.upsert({
        where: { customerId_feed: { customerId: o.id, feed } },
        create: { customerId: o.id, feed, source: "graph", nextRunAt: later },
        update: { nextRunAt: later },
      });
    }
  }
  await data.prisma.syncState.createMany({ data: ["incidents", "alerts"].map((feed) => ({ customerId: c.id, feed, source: "graph", nextRunAt: later })) });
  const { startSyncWorker } = await import("../../lib/sync/worker.ts");
  const worker = await startSyncWorker({ databaseUrl: process.env.DATABASE_URL!, concurrency: 2, schedulerIntervalMs: 500 });
  try {
    await signIn(page, admin.upn);
    await page.goto(`/customers/${c.id}`);
    await expect(page.getByTestId("sync-state").first()).toHaveText("Not run yet");
    await page.getByRole("button", { name: "Refresh now" }).click();
    await expect(page.getByTestId("sync-state").first()).toHaveText(/Requested|Queued|Running|OK/);
    await expect(page.getByTestId("sync-state")).toHaveText(["OK", "OK"], { timeout: 60_000 });
    const stored = await data.prisma.incident.count({ where: { customerId: c.id } });
    expect(stored).toBeGreaterThan(0);
  } finally {
    await worker.stop();
  }
});

test("an analyst triages an incident at Microsoft: status, assignment, classification and a comment", async ({ page, sim, data }) => {
  const { analyst } = await partnerUsers(sim);
  const roles = {
    "https://api.security.microsoft.com": ["Incident.Read.All", "Incident.ReadWrite.All"],
    "https://api.securitycenter.microsoft.com": ["Alert.Read.All"],
    "https://graph.microsoft.com": ["SecurityIncident.Read.All", "SecurityAlert.Read.All"],
  };
  const c = await data.consentedCustomer("Triage", { sync: true, roles });
  const readOnly = await data.consentedCustomer("ReadOnly", { sync: true });
  await signIn(page, analyst.upn);
  await data.assignOnly(analyst.oid, [c.id, readOnly.id]);
  const incident = await data.prisma.incident.findFirstOrThrow({
    where: { customerId: c.id, status: { in: ["active", "inProgress"] } },
    orderBy: { lastUpdateTime: "desc" },
  });
  await page.goto(`/incidents/${incident.id}`);
  const form = page.getByTestId("triage-form").filter({ visible: true });

  // A determination that does not belong to the classification is explained, and nothing changes at Microsoft.
  await form.getByLabel("Classification").selectOption("FalsePositive");
  await form.getByLabel("Determination").selectOption({ label: "Malware" });
  await form.getByRole("button", { name: "Update incident" }).click();
  await expect(form.locator("#determination-error")).toContainText("Not a determination for FalsePositive");

  await form.getByLabel("Status").selectOption("Resolved");
  await form.getByLabel("Assignment").selectOption("me");
  await form.getByLabel("Classification").selectOption("TruePositive");
  await form.getByLabel("Determination").selectOption({ label: "Malware" });
  await form.getByLabel("Comment").fill("Contained by the SOC; host isolated.");
  await form.getByRole("button", { name: "Update incident" }).click();
  await expect(page.getByTestId("triage-done")).toBeVisible();

  const truth = (await sim.incidents(c.tenantId)) as {
    incidents: { incidentId: number; status: string; assignedTo: string | null; classification: string; determination: string }[];
  };
  const atMicrosoft = truth.incidents.find((i) => String(i.incidentId) === incident.sourceId)!;
  expect(atMicrosoft).toMatchObject({ status: "Resolved", assignedTo: analyst.upn, classification: "TruePositive", determination: "Malware" });
  const stored = await data.prisma.incident.findUniqueOrThrow({ where: { id: incident.id } });
  expect(stored).toMatchObject({ status: "resolved", assignedTo: analyst.upn });
  // The comment comes back in Microsoft's own copy of the incident (each page view refreshes it from Microsoft).
  // The stored copy renders first and the live one streams in after it: the comment must show in what is visible.
  await page.reload();
  await expect(page.getByTestId("comments").filter({ visible: true, hasText: "Contained by the SOC" })).toBeVisible();
  expect(await data.prisma.auditEntry.count({ where: { customerId: c.id, action: "incident.triaged" } })).toBe(1);

  // A customer that granted read-only access gets an explanation instead of a form.
  const ro = await data.prisma.incident.findFirstOrThrow({ where: { customerId: readOnly.id } });
  await page.goto(`/incidents/${ro.id}`);
  await expect(page.getByTestId("triage-unavailable").filter({ visible: true })).toContainText("Incident.ReadWrite.All");
  await expect(page.getByTestId("triage-form").filter({ visible: true })).toHaveCount(0);
});
