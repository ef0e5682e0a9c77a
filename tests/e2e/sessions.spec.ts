import { readFileSync } from "node:fs";
import type { BrowserContext, Page } from "@playwright/test";
import { expect, partnerUsers, test } from "./fixtures.ts";

/**
 * Sessions and staff access (issue #9 §3), in Chromium against the built portal and the simulated Entra.
 * The portal's clock is PostgreSQL's session rows: moving a row's timestamps back is moving the clock forward for
 * that session (the decision itself is unit-tested with an injected `now`).
 */
const SESSION_COOKIE = "next-auth.session-token";
// Several real sign-ins per test (each a full OIDC round trip through the simulator) on a shared 2-core machine.
test.describe.configure({ timeout: 90_000 });

async function portalSessionCookie(context: BrowserContext) {
  const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
  expect(cookie, "signed in").toBeTruthy();
  return cookie!;
}

async function staffUser(sim: Parameters<typeof partnerUsers>[0], prefix: string) {
  const { directory } = await partnerUsers(sim);
  return directory.partner.users.find((u) => u.upn.startsWith(`${prefix}@`))!;
}

function openSessions(prisma: import("../../lib/db/client.ts").PrismaClient, oid: string) {
  return prisma.portalSession.findMany({ where: { user: { entraObjectId: oid }, endedAt: null }, orderBy: { createdAt: "desc" } });
}

/**
 * Signs in through the portal and the simulator's account picker (as fixtures.signIn), then waits for where the
 * portal lands with a margin: the machine is shared and one sign-in is several redirects through two servers.
 */
async function signIn(page: Page, upn: string, lands: RegExp = /\/overview$/) {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: `Sign in as ${upn}` }).click({ noWaitAfter: true });
  await expect(page).toHaveURL(lands, { timeout: 30_000 });
}

function staffRow(page: Page, email: string) {
  return page.locator(`[data-testid="staff-row"][data-email="${email}"]`);
}

test("a cookie copied before Sign out stops working at once, in pages and in /api/auth/session", async ({ page, sim, browser }) => {
  const analyst = await staffUser(sim, "analyst2");
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  const copied = await portalSessionCookie(page.context());
  expect((await (await page.request.get("/api/auth/session")).json()).oid).toBe(analyst.oid);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);

  const thief = await browser.newContext();
  try {
    await thief.addCookies([copied]);
    const p = await thief.newPage();
    await p.goto("/customers");
    await expect(p).toHaveURL(/\/signin$/);
    const session = await (await p.request.get("/api/auth/session")).json();
    expect(session).toEqual({});
  } finally {
    await thief.close();
  }
});

test("idle timeout: a session unused for the idle time ends (clock moved through the session row)", async ({ page, sim, data }) => {
  const analyst = await staffUser(sim, "analyst2");
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  const [session] = await openSessions(data.prisma, analyst.oid);
  // 59 minutes idle: still signed in (and the visit counts as activity).
  const fiftyNine = new Date(Date.now() - 59 * 60_000);
  await data.prisma.portalSession.update({ where: { id: session!.id }, data: { lastSeenAt: fiftyNine } });
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/customers$/);
  expect((await data.prisma.portalSession.findUniqueOrThrow({ where: { id: session!.id } })).lastSeenAt.getTime()).toBeGreaterThan(fiftyNine.getTime());
  // 61 minutes idle: signed out, told why; the cookie no longer means anything to /api/auth/session either.
  await data.prisma.portalSession.update({ where: { id: session!.id }, data: { lastSeenAt: new Date(Date.now() - 61 * 60_000) } });
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/signin\?error=SessionIdle$/);
  await expect(page.getByTestId("signin-error")).toContainText("not used for a while");
  expect((await data.prisma.portalSession.findUniqueOrThrow({ where: { id: session!.id } })).endedReason).toBe("idle");
  expect(await (await page.request.get("/api/auth/session")).json()).toEqual({});
});

test("absolute lifetime: an active session ends when its 12 hours are up", async ({ page, sim, data }) => {
  const analyst = await staffUser(sim, "analyst2");
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  const [session] = await openSessions(data.prisma, analyst.oid);
  expect(session!.absoluteExpiresAt.getTime() - session!.createdAt.getTime()).toBe(12 * 3_600_000);
  // Active a second ago, role fresh: only the absolute limit is past.
  await data.prisma.portalSession.update({ where: { id: session!.id }, data: { absoluteExpiresAt: new Date(Date.now() - 1000) } });
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/signin\?error=SessionExpired$/);
  await expect(page.getByTestId("signin-error")).toContainText("maximum length");
});

test("Users & access: an admin disables a user (sessions end at once, sign-in refused with a clear message) and enables them again", async ({
  page,
  sim,
  browser,
}) => {
  const { admin } = await partnerUsers(sim);
  const analyst = await staffUser(sim, "analyst2");
  const other = await browser.newContext();
  const victim = await other.newPage();
  try {
    await signIn(victim, analyst.upn);
    await expect(victim).toHaveURL(/\/overview$/);

    await signIn(page, admin.upn);
    await page.getByRole("link", { name: "Users & access" }).click();
    await expect(page).toHaveURL(/\/settings\/users$/);
    const row = staffRow(page, analyst.upn);
    await expect(row.getByTestId("staff-role")).toHaveText("Analyst");
    await expect(row).toContainText("Entra app role");
    await expect(row.getByTestId("staff-sessions")).not.toHaveText("0");
    await row.getByTestId("disable-user").click();
    await expect(row.getByTestId("staff-action-result")).toContainText("is disabled");
    await expect(row.getByTestId("staff-status")).toContainText("Disabled");
    await expect(row.getByTestId("staff-sessions")).toHaveText("0");

    await victim.goto("/overview");
    await expect(victim).toHaveURL(/\/signin\?error=Disabled$/);
    await expect(victim.getByTestId("signin-error")).toContainText("disabled your access");
    // Entra still signs them in; the portal refuses, and says why.
    await signIn(victim, analyst.upn, /\/signin\?error=Disabled$/);
    await expect(victim.getByTestId("signin-error")).toContainText("disabled your access");

    await row.getByTestId("enable-user").click();
    await expect(row.getByTestId("staff-status")).toHaveText("Enabled");
    await signIn(victim, analyst.upn);
    await expect(victim).toHaveURL(/\/overview$/);
  } finally {
    await other.close();
  }
});

test("Users & access: sign out everywhere ends every session of a user; one session can be ended alone", async ({ page, sim, browser, data }) => {
  const { admin } = await partnerUsers(sim);
  const analyst = await staffUser(sim, "analyst2");
  const contexts = [await browser.newContext(), await browser.newContext(), await browser.newContext()];
  try {
    const pages = await Promise.all(contexts.map((c) => c.newPage()));
    for (const p of pages) {
      await signIn(p, analyst.upn);
      await expect(p).toHaveURL(/\/overview$/);
    }
    await signIn(page, admin.upn);
    await page.goto("/settings/users");
    const row = staffRow(page, analyst.upn);
    await expect(row.getByTestId("staff-sessions")).toHaveText(String((await openSessions(data.prisma, analyst.oid)).length));

    // End the newest session alone (pages[2] signed in last): it leaves the list.
    await row.getByText("Sessions", { exact: true }).click();
    const listed = await row.getByTestId("staff-session").count();
    await row.getByTestId("end-session").first().click();
    await expect(row.getByTestId("staff-session")).toHaveCount(listed - 1);
    await pages[2]!.goto("/overview");
    await expect(pages[2]!).toHaveURL(/\/signin\?error=SessionEnded$/);
    await pages[0]!.goto("/customers");
    await expect(pages[0]!).toHaveURL(/\/customers$/);

    await row.getByTestId("sign-out-everywhere").click();
    await expect(row.getByTestId("staff-action-result")).toContainText("signed out everywhere");
    for (const p of pages.slice(0, 2)) {
      await p.goto("/overview");
      await expect(p).toHaveURL(/\/signin\?error=SessionEnded$/);
      await expect(p.getByTestId("signin-error")).toContainText("ended your session");
    }
    expect(await openSessions(data.prisma, analyst.oid)).toHaveLength(0);
    const audit = await data.prisma.auditEntry.findMany({
      where: { action: { in: ["session.ended", "user.signed_out_everywhere"] } },
      orderBy: { id: "desc" },
      take: 2,
    });
    expect(audit.map((a) => a.action).sort()).toEqual(["session.ended", "user.signed_out_everywhere"]);
  } finally {
    for (const c of contexts) await c.close();
  }
});

test("Users & access: the last enabled admin cannot be disabled", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  await expect(page).toHaveURL(/\/overview$/);
  // Every other admin disabled: the signed-in admin is the last one.
  const others = await data.prisma.portalUser.findMany({ where: { role: "ADMIN", disabledAt: null, entraObjectId: { not: admin.oid } }, select: { id: true } });
  await data.prisma.portalUser.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { disabledAt: new Date() } });
  try {
    await page.goto("/settings/users");
    const row = staffRow(page, admin.upn);
    await row.getByTestId("disable-user").click();
    await expect(row.getByTestId("staff-action-result")).toContainText("last enabled partner admin cannot be disabled");
    await expect(row.getByTestId("staff-status")).toHaveText("Enabled");
    await page.reload();
    await expect(page).toHaveURL(/\/settings\/users$/);
  } finally {
    await data.prisma.portalUser.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { disabledAt: null } });
  }
});

test("role changes in Entra apply at the next role refresh: silent re-authentication (prompt=none) reads the new role", async ({ page, sim, data }) => {
  const analyst = await staffUser(sim, "analyst2");
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByTestId("viewer-role")).toHaveText("Analyst");
  const hourAgo = () => new Date(Date.now() - 61 * 60_000);
  try {
    // Promoted in Entra: after the refresh interval the next page silently re-authenticates and shows the new role.
    await sim.setUserAppRoles(analyst.upn, ["Portal.Admin"]);
    const [first] = await openSessions(data.prisma, analyst.oid);
    await data.prisma.portalSession.update({ where: { id: first!.id }, data: { roleCheckedAt: hourAgo() } });
    await page.goto("/customers");
    await expect(page).toHaveURL(/\/overview$/);
    await expect(page.getByTestId("viewer-role")).toHaveText("Partner admin");
    expect((await data.prisma.portalSession.findUniqueOrThrow({ where: { id: first!.id } })).endedReason).toBe("role_refresh");

    // Removed from the app role in Entra: the silent re-authentication ends in "no role", and the portal is closed.
    await sim.setUserAppRoles(analyst.upn, []);
    const [second] = await openSessions(data.prisma, analyst.oid);
    await data.prisma.portalSession.update({ where: { id: second!.id }, data: { roleCheckedAt: hourAgo() } });
    await page.goto("/customers");
    await expect(page).toHaveURL(/\/signin\?error=NoRole$/);
    await page.goto("/customers");
    await expect(page).toHaveURL(/\/signin(\?error=\w+)?$/);
    expect((await data.prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: analyst.oid } })).role).toBeNull();
  } finally {
    // Leave no silent re-authentication in flight to the simulator when the roles are put back and the page closes.
    await page.goto("about:blank").catch(() => {});
    await sim.setUserAppRoles(analyst.upn, ["Portal.Analyst"]);
  }
});

test("attack: an analyst (or nobody) calling the Users & access actions directly is denied and changes nothing", async ({ page, sim, data, request }) => {
  const { admin, analyst } = await partnerUsers(sim);
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  expect((await page.goto("/settings/users"))?.status()).toBe(404);

  // The admin (signed in by earlier tests) and an open session of theirs that the analyst would like to end.
  const adminRow = await data.prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: admin.oid } });
  const adminSession = await data.prisma.portalSession.create({
    data: {
      id: crypto.randomUUID(),
      userId: adminRow.id,
      lastSeenAt: new Date(),
      roleCheckedAt: new Date(),
      absoluteExpiresAt: new Date(Date.now() + 3_600_000),
    },
  });
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as { node: Record<string, { exportedName?: string }> };
  const ids = Object.entries(manifest.node).filter(([, v]) => /^(disableUser|enableUser|signOutEverywhere|endSession)Action$/.test(v.exportedName ?? ""));
  expect(ids.map(([, v]) => v.exportedName).sort()).toEqual(["disableUserAction", "enableUserAction", "endSessionAction", "signOutEverywhereAction"]);
  const auditBefore = await data.prisma.auditEntry.count();
  for (const [id, v] of ids) {
    const arg = v.exportedName === "endSessionAction" ? { sessionId: adminSession.id } : { userId: adminRow.id };
    const res = await page.request.post("/overview", {
      headers: { "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
      data: JSON.stringify([arg]),
      maxRedirects: 0,
    });
    expect(await res.text(), v.exportedName).toContain("access_denied");
  }
  expect((await data.prisma.portalUser.findUniqueOrThrow({ where: { id: adminRow.id } })).disabledAt).toBeNull();
  expect((await data.prisma.portalSession.findUniqueOrThrow({ where: { id: adminSession.id } })).endedAt).toBeNull();
  expect(await data.prisma.auditEntry.count()).toBe(auditBefore);
  // Anonymous: no cookie at all.
  for (const [id] of ids) {
    const res = await request.post("/signin", {
      headers: { "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
      data: JSON.stringify([{ userId: adminRow.id, sessionId: adminSession.id }]),
      maxRedirects: 0,
    });
    expect(await res.text()).toContain("signed_out");
  }
  expect((await data.prisma.portalUser.findUniqueOrThrow({ where: { id: adminRow.id } })).disabledAt).toBeNull();
  expect((await data.prisma.portalSession.findUniqueOrThrow({ where: { id: adminSession.id } })).endedAt).toBeNull();
  expect(await data.prisma.auditEntry.count()).toBe(auditBefore);
});
