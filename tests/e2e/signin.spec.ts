import { expect, partnerUsers, signIn, test } from "./fixtures.ts";

test("a customer tenant's admin cannot sign in to the portal", async ({ page, sim }) => {
  const { directory } = await partnerUsers(sim);
  const outsider = directory.customers[0]!.users.find((u) => u.isAdmin)!;
  // Entra's account picker for the partner's tenant; the customer's admin tries "another organization".
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.getByText("Use an account from another organization").click();
  await page.getByRole("button", { name: `Sign in as ${outsider.upn}` }).click();
  await expect(page).toHaveURL(/\/signin\?.*error=/);
  await expect(page.getByTestId("signin-error")).toContainText("only for the partner's own staff");
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/signin$/);
});

test("a partner user without a portal role is told to ask for one", async ({ page, sim }) => {
  const { noRole } = await partnerUsers(sim);
  await signIn(page, noRole.upn);
  await expect(page.getByTestId("signin-error")).toContainText("no role");
});

test("an analyst signs in, sees customers, but neither onboarding nor settings", async ({ page, sim }) => {
  const { analyst } = await partnerUsers(sim);
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByTestId("viewer-role")).toHaveText("Analyst");
  await expect(page.getByRole("link", { name: "Add customer" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "App registration" })).toHaveCount(0);
  const res = await page.goto("/settings");
  // Admin pages answer an analyst with 403 and say so (app/forbidden.tsx).
  expect(res?.status()).toBe(403);
  await expect(page.getByTestId("forbidden")).toContainText("No access");
});

test("a tampered session cookie is not a session", async ({ page, sim, context }) => {
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  await expect(page).toHaveURL(/\/overview$/);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name.includes("next-auth.session-token"))!;
  expect(session.httpOnly).toBe(true);
  await context.clearCookies();
  await context.addCookies([{ ...session, value: session.value.slice(0, -4) + "AAAA" }]);
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/signin$/);
});
