import { expect, partnerUsers, signIn, test } from "./fixtures.ts";

/**
 * User context (issue 13) in Chromium: an analyst who is a guest of the customer's tenant connects through Microsoft's
 * sign-in at that tenant, triages in "analyst" write mode, and Microsoft records the analyst (not the app); a user who
 * is no guest gets the plain AADSTS50020 page; a guest without the Defender role gets the 403 in plain words and nothing
 * changes; disabling the analyst removes their tokens (checked in the database).
 */
const MTP = "https://api.security.microsoft.com";
const WDATP = "https://api.securitycenter.microsoft.com";
const ALL_DEFENDER = ["View data", "Alerts investigation", "Active remediation actions"];

async function simCall(method: string, path: string, body?: unknown) {
  const res = await fetch(`${process.env.E2E_SIM_URL}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}`);
  return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Delegated consent by the customer's admin, and the guests it invited with their Defender role permissions. */
async function setUpTenant(tenantId: string, guests: Record<string, string[]>) {
  await simCall("PUT", `/_sim/tenants/${tenantId}/scopes`, { resource: MTP, scopes: ["Incident.ReadWrite"] });
  await simCall("PUT", `/_sim/tenants/${tenantId}/scopes`, {
    resource: WDATP,
    scopes: ["Machine.Read", "Machine.Isolate", "Machine.Scan", "Machine.CollectForensics"],
  });
  for (const [upn, roles] of Object.entries(guests))
    await simCall("PUT", `/_sim/tenants/${tenantId}/guests/${encodeURIComponent(upn)}`, { defenderRoles: roles });
}

const changesAt = async (tenantId: string, sourceId: string) =>
  ((await simCall("GET", `/_sim/tenants/${tenantId}/defender/changes`)) as { incidentId: number; actor: { type: string; name: string } }[]).filter(
    (c) => String(c.incidentId) === sourceId,
  );

test("an analyst connects to a customer tenant, triages as themself, and Microsoft records the analyst", async ({ page, sim, data }) => {
  test.setTimeout(90_000);
  const { analyst } = await partnerUsers(sim);
  const c = await data.consentedCustomer("AsAnalyst", { sync: true });
  await setUpTenant(c.tenantId, { [analyst.upn]: ALL_DEFENDER });
  const { setWriteMode } = await import("../../lib/data/delegated.ts");
  expect((await setWriteMode(await data.adminViewer(), c.id, { writeMode: "analyst" })).ok).toBe(true);
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst.oid, [c.id]);

  await page.goto(`/customers/${c.id}`);
  await expect(page.getByTestId("user-context")).toHaveAttribute("data-write-mode", "analyst");
  await page.getByTestId("connect-page-link").click();
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-connected", "false");
  await page.getByRole("button", { name: "Connect your account" }).click();
  // Microsoft's sign-in at the customer's tenant lists the analyst among its guests.
  await page.getByRole("button", { name: `Sign in as ${analyst.upn}` }).click();
  await expect(page.getByTestId("connect-outcome-connected")).toBeVisible();
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-connected", "true");
  await expect(page.getByTestId("connection-status")).toContainText(analyst.upn);

  const incident = await data.prisma.incident.findFirstOrThrow({
    where: { customerId: c.id, status: { in: ["active", "inProgress"] } },
    orderBy: { lastUpdateTime: "desc" },
  });
  await page.goto(`/incidents/${incident.id}`);
  // The live copy from Microsoft replaces the stored one (and its form): fill the form once it has.
  await expect(page.getByTestId("refresh-pending")).toHaveCount(0);
  const form = page.getByTestId("triage-form").filter({ visible: true });
  await form.getByLabel("Status").selectOption("InProgress");
  await form.getByLabel("Comment").fill("Looking into it as myself.");
  await form.getByRole("button", { name: "Update incident" }).click();
  await expect(page.getByTestId("triage-done")).toBeVisible();

  const changes = await changesAt(c.tenantId, incident.sourceId);
  expect(changes.at(-1)?.actor).toMatchObject({ type: "user", name: analyst.upn });
  const truth = (await sim.incidents(c.tenantId)) as { incidents: { incidentId: number; status: string }[] };
  expect(truth.incidents.find((i) => String(i.incidentId) === incident.sourceId)?.status).toBe("InProgress");
  const history = await data.prisma.incidentChange.findMany({ where: { incidentId: incident.id, origin: "portal" } });
  expect(history.length).toBeGreaterThan(0);
  // The incident's change history says who Microsoft recorded.
  await page.reload();
  await expect(page.getByTestId("change-context").filter({ visible: true }).first()).toContainText(`as ${analyst.upn} (user context)`);
  expect(history.every((h) => h.writeContext === "delegated" && h.microsoftActor === analyst.upn)).toBe(true);
  const audit = await data.prisma.auditEntry.findFirstOrThrow({ where: { customerId: c.id, action: "incident.triaged" }, orderBy: { id: "desc" } });
  expect(audit.detail).toMatchObject({ writeContext: "delegated", microsoftActor: analyst.upn });
  // The browser never received a token: the cache row holds ciphertext only.
  const row = await data.prisma.delegatedTokenCache.findFirstOrThrow({ where: { customerId: c.id } });
  expect(row.ciphertext).toMatch(/^v1\./);
});

test("a user who is not a guest of the customer's tenant gets the plain AADSTS50020 page", async ({ page, sim, data }) => {
  test.setTimeout(60_000);
  const { directory } = await partnerUsers(sim);
  const analyst2 = directory.partner.users.find((u) => u.upn.startsWith("analyst2@"))!;
  const c = await data.consentedCustomer("NotGuest", { sync: false });
  await setUpTenant(c.tenantId, {});
  await signIn(page, analyst2.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst2.oid, [c.id]);
  await page.goto(`/customers/${c.id}/connect`);
  await page.getByRole("button", { name: "Connect your account" }).click();
  await page.getByText("Use an account from another organization").click();
  await page.getByRole("button", { name: `Sign in as ${analyst2.upn}` }).click();
  const notice = page.getByTestId("connect-outcome-not-in-tenant");
  await expect(notice).toBeVisible();
  await expect(notice).toContainText("AADSTS50020");
  await expect(notice).toContainText("must do");
  await expect(notice).toContainText("Invite external user");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-connected", "false");
  expect(await data.prisma.delegatedTokenCache.count({ where: { customerId: c.id } })).toBe(0);
});

test("a guest without the Defender role gets Microsoft's 403 as such, nothing changes; disabling them removes their tokens", async ({ page, sim, data }) => {
  test.setTimeout(90_000);
  const { directory } = await partnerUsers(sim);
  const analyst2 = directory.partner.users.find((u) => u.upn.startsWith("analyst2@"))!;
  const c = await data.consentedCustomer("NoRole", { sync: true });
  await setUpTenant(c.tenantId, { [analyst2.upn]: ["View data"] });
  const { setWriteMode } = await import("../../lib/data/delegated.ts");
  expect((await setWriteMode(await data.adminViewer(), c.id, { writeMode: "analyst" })).ok).toBe(true);
  await signIn(page, analyst2.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst2.oid, [c.id]);
  await page.goto(`/customers/${c.id}/connect`);
  await page.getByRole("button", { name: "Connect your account" }).click();
  await page.getByRole("button", { name: `Sign in as ${analyst2.upn}` }).click();
  await expect(page.getByTestId("connect-outcome-connected")).toBeVisible();

  const incident = await data.prisma.incident.findFirstOrThrow({ where: { customerId: c.id, status: { in: ["active", "inProgress"] } } });
  const before = await changesAt(c.tenantId, incident.sourceId);
  await page.goto(`/incidents/${incident.id}`);
  // The live copy from Microsoft replaces the stored one (and its form): fill the form once it has.
  await expect(page.getByTestId("refresh-pending")).toHaveCount(0);
  const form = page.getByTestId("triage-form").filter({ visible: true });
  await form.getByLabel("Status").selectOption("Resolved");
  await form.getByLabel("Comment").fill("Should not land.");
  await form.getByRole("button", { name: "Update incident" }).click();
  const error = page.getByTestId("triage-error").filter({ visible: true });
  await expect(error).toContainText(`Your account in ${c.displayName} (${analyst2.upn}) lacks the Microsoft Defender role permission`);
  await expect(error).toContainText("Alerts investigation");
  expect(await changesAt(c.tenantId, incident.sourceId)).toEqual(before);
  const stored = await data.prisma.incident.findUniqueOrThrow({ where: { id: incident.id }, select: { status: true } });
  expect(stored.status).toBe(incident.status);

  // Disabling the analyst removes every token cache of theirs (then they are enabled again for the specs after this).
  const user = await data.prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: analyst2.oid } });
  expect(await data.prisma.delegatedTokenCache.count({ where: { userId: user.id } })).toBeGreaterThan(0);
  const staff = await import("../../lib/data/staff.ts");
  expect((await staff.disableUser(await data.adminViewer(), { userId: user.id })).ok).toBe(true);
  expect(await data.prisma.delegatedTokenCache.count({ where: { userId: user.id } })).toBe(0);
  expect((await staff.enableUser(await data.adminViewer(), { userId: user.id })).ok).toBe(true);
});
