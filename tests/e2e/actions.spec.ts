import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { APIRequestContext } from "@playwright/test";
import { expect, partnerUsers, signIn, test, uniqueTenantName } from "./fixtures.ts";

/**
 * Every server action answers with a Result that the page shows next to the control that caused it; a failure
 * changes nothing. Called directly (as an attacker would, by action id), an action refuses with a Result too.
 */

/** Server actions by exported name, with a page that loads each (an action is served where its page uses it). */
function actionsByName(): Map<string, { id: string; page: string }> {
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as {
    node: Record<string, { exportedName?: string; workers: Record<string, unknown> }>;
  };
  const out = new Map<string, { id: string; page: string }>();
  for (const [id, entry] of Object.entries(manifest.node)) {
    const worker = Object.keys(entry.workers)[0]!; // e.g. "app/(portal)/customers/[id]/page"
    const page =
      worker
        .replace(/^app/, "")
        .replace(/\/page$/, "")
        .replace(/\/\([^)]*\)/g, "") || "/";
    if (entry.exportedName) out.set(entry.exportedName, { id, page });
  }
  return out;
}

/**
 * Calls a server action the way React's client does: the arguments as JSON, and a FormData argument as form fields
 * under its part prefix (`$K1` → fields `_1_<name>`), which is how a form submission reaches an action.
 */
async function callAction(request: APIRequestContext, name: string, args: unknown[], opts: { customerId: string; form?: Record<string, string> }) {
  const action = actionsByName().get(name);
  expect(action, `server action ${name} is in the build`).toBeTruthy();
  const url = action!.page.replace("[id]", opts.customerId);
  const headers = { "Next-Action": action!.id, Accept: "text/x-component" };
  const res = opts.form
    ? await request.post(url, {
        headers,
        multipart: { "0": JSON.stringify([...args, "$K1"]), ...Object.fromEntries(Object.entries(opts.form).map(([k, v]) => [`_1_${k}`, v])) },
        maxRedirects: 0,
      })
    : await request.post(url, { headers: { ...headers, "Content-Type": "text/plain;charset=UTF-8" }, data: JSON.stringify(args), maxRedirects: 0 });
  return { status: res.status(), body: await res.text() };
}

// Sign-in plus a page or two per test: on the shared 2-core machine the first spec of a run also pays for warming
// the server up, which the default 30 s does not always cover. A budget, not a timing assertion.
test.describe.configure({ timeout: 90_000 });

async function pendingCustomer(data: Parameters<Parameters<typeof test>[2]>[0]["data"], label: string) {
  const viewer = await data.adminViewer();
  const r = await data.customers.createCustomer(viewer, { displayName: uniqueTenantName(label).displayName, tenantOrDomain: "", region: "us" });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value.id;
}

test("consent link buttons show their outcome beside them: a customer that consented or was deleted meanwhile is explained", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const id = await pendingCustomer(data, "Stale");
  await signIn(page, admin.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await page.goto(`/customers/${id}`);

  // While the page is open, the customer consents (another tab, another admin): the link is refused, in words.
  await data.prisma.customer.update({ where: { id }, data: { status: "CONSENTED" } });
  await page.getByRole("button", { name: "Create consent link" }).click();
  await expect(page.getByTestId("create-link-error")).toHaveText("This customer has already consented.");
  expect(await data.prisma.consentRequest.count({ where: { customerId: id } })).toBe(0);

  // Back to pending: the same button creates the link and says so.
  await data.prisma.customer.update({ where: { id }, data: { status: "PENDING" } });
  await page.getByRole("button", { name: "Create consent link" }).click();
  await expect(page.getByTestId("create-link-done")).toContainText("Consent link created");
  await expect(page.getByTestId("onboarding-url")).toBeVisible();

  // The customer is deleted meanwhile: revoking says it is gone, and the page stays as it was.
  await data.prisma.customer.delete({ where: { id } });
  await page.getByRole("button", { name: "Revoke link" }).click();
  await expect(page.getByTestId("revoke-link-error")).toHaveText("Customer not found.");
  await expect(page.getByTestId("onboarding-url")).toBeVisible();
  await page.getByRole("button", { name: "Regenerate link" }).click();
  await expect(page.getByTestId("create-link-error")).toHaveText("Customer not found.");
});

test("a revoked link says so beside the button that revoked it", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const id = await pendingCustomer(data, "Revoke");
  await data.customers.createConsentLink(await data.adminViewer(), id);
  await signIn(page, admin.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await page.goto(`/customers/${id}`);
  await page.getByRole("button", { name: "Revoke link" }).click();
  await expect(page.getByText("No live consent link.")).toBeVisible();
  expect(await data.prisma.consentRequest.count({ where: { customerId: id, revokedAt: null } })).toBe(0);
});

test("saving analyst assignments with someone who is no longer an analyst is refused beside the button; nothing changes", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const id = await pendingCustomer(data, "Assign");
  const viewer = await data.adminViewer();
  const temp = await data.prisma.portalUser.create({
    data: {
      id: randomUUID(),
      partnerId: viewer.partnerId,
      entraObjectId: randomUUID(),
      email: `leaver-${randomUUID().slice(0, 8)}@e2e`,
      displayName: "Leaving Analyst",
      role: "ANALYST",
      roleSource: "portal",
    },
  });
  try {
    await signIn(page, admin.upn);
    await expect(page).toHaveURL(/\/overview$/);
    await page.goto(`/customers/${id}`);
    const form = page.getByTestId("assignments-form");
    await form.getByLabel(/Leaving Analyst/).check();

    // Meanwhile they became an admin (or left): the save is refused and says why.
    await data.prisma.portalUser.update({ where: { id: temp.id }, data: { role: "ADMIN" } });
    await form.getByRole("button", { name: "Save assignments" }).click();
    await expect(page.getByTestId("assignments-error")).toHaveText("Only analysts of this partner can be assigned.");
    expect(await data.prisma.analystAssignment.count({ where: { customerId: id } })).toBe(0);

    // Back to analyst: the same save works and says what it did.
    await data.prisma.portalUser.update({ where: { id: temp.id }, data: { role: "ANALYST" } });
    await form.getByRole("button", { name: "Save assignments" }).click();
    await expect(page.getByTestId("assignments-done")).toContainText("Saved: 1 analyst(s) assigned.");
    expect(await data.prisma.analystAssignment.findMany({ where: { customerId: id }, select: { userId: true } })).toEqual([{ userId: temp.id }]);
  } finally {
    await data.prisma.portalUser.delete({ where: { id: temp.id } });
  }
});

test("an analyst calling admin actions directly gets the denial as a result, and nothing changes", async ({ page, sim, data }) => {
  const { analyst } = await partnerUsers(sim);
  const id = await pendingCustomer(data, "Direct");
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  // Assigned to the customer: only the role stands between the analyst and the admin actions.
  await data.assignOnly(analyst.oid, [id]);
  const me = await data.prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: analyst.oid } });
  const before = JSON.stringify(await data.prisma.customer.findUniqueOrThrow({ where: { id } }));

  const calls: [string, unknown[], Record<string, string>?][] = [
    ["createLinkAction", [id, null]],
    ["revokeLinkAction", [id, null]],
    ["checkCredentialAction", [null]],
    ["manualTenantAction", [id, null], { tenantId: randomUUID() }],
    ["setAssignmentsAction", [id, null], { analyst: me.id }],
    ["addCustomerAction", [null], { displayName: "Added by an analyst", tenantOrDomain: "", region: "eu" }],
  ];
  for (const [name, args, form] of calls) {
    const res = await callAction(page.request, name, args, { customerId: id, form });
    expect(res.status, name).toBe(200);
    expect(res.body, name).toContain('"formError":"You do not have access to this."');
    expect(res.body, name).toContain('"code":"access_denied"');
    expect(res.body, name).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/); // no stack trace
  }
  expect(await data.prisma.consentRequest.count({ where: { customerId: id } })).toBe(0);
  expect(await data.prisma.analystAssignment.findMany({ where: { customerId: id }, select: { userId: true } })).toEqual([{ userId: me.id }]);
  expect(await data.prisma.customer.count({ where: { displayName: "Added by an analyst" } })).toBe(0);
  expect(await data.prisma.consentEvent.count({ where: { customerId: id } })).toBe(0);
  expect(JSON.stringify(await data.prisma.customer.findUniqueOrThrow({ where: { id } }))).toBe(before);

  // Malformed arguments (hostile shapes) are refused as such, not with a stack trace.
  for (const args of [[{ id }, null], ["x".repeat(500), null], []]) {
    const res = await callAction(page.request, "createLinkAction", args, { customerId: id });
    expect(res.status).toBe(200);
    expect(res.body).toContain('"code":"bad_request"');
  }
  // Refresh is an analyst's action: for a customer without a tenant yet it explains instead of failing.
  const refresh = await callAction(page.request, "refreshCustomerAction", [id], { customerId: id });
  expect(refresh.body).toContain('"code":"not_consented"');
});

test("an anonymous caller of a server action is told the session ended, and nothing changes", async ({ playwright, data }) => {
  const id = await pendingCustomer(data, "Anonymous");
  const anonymous = await playwright.request.newContext({ baseURL: process.env.E2E_APP_URL });
  try {
    for (const name of ["createLinkAction", "revokeLinkAction", "refreshCustomerAction"]) {
      const res = await callAction(anonymous, name, [id, null], { customerId: id });
      expect(res.status, name).toBe(200);
      expect(res.body, name).toContain("Your session has ended. Sign in again.");
    }
  } finally {
    await anonymous.dispose();
  }
  expect(await data.prisma.consentRequest.count({ where: { customerId: id } })).toBe(0);
  expect(await data.prisma.syncState.count({ where: { customerId: id } })).toBe(0);
});
