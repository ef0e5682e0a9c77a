import { randomInt, randomUUID } from "node:crypto";
import { expect, partnerUsers, signIn, test } from "./fixtures.ts";

/**
 * Issue #9 §4 and §5 in the production build: the anonymous rate limit, cross-site requests that must pull nothing,
 * HSTS over http, clear pages for expected errors, and the incident page's bounded live refresh.
 * The e2e portal trusts loopback as its proxy (global-setup), so X-Forwarded-For names the client here.
 */
const LIMIT = 50; // ANON_RATE_LIMIT_PER_MINUTE in global-setup
const clientIp = () => `203.0.113.${randomInt(1, 255)}`;

test("a flood from one client gets 429 with Retry-After after the limit on every anonymous route; nothing is written; another client is unaffected", async ({
  request,
  data,
}) => {
  test.setTimeout(180_000);
  const flooder = clientIp();
  let other = clientIp();
  while (other === flooder) other = clientIp();
  const rows = async () => ({ events: await data.prisma.consentEvent.count(), audit: await data.prisma.auditEntry.count() });

  // A fixed one-minute window: start each flood early in a minute so it ends in the same window.
  const freshWindow = async () => {
    const second = new Date().getUTCSeconds();
    if (second > 45) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
  };
  for (const path of [
    `/consent/callback?admin_consent=True&tenant=${randomUUID()}&state=flood`,
    `/onboard/flood-${randomUUID()}`,
    `/consent/outcome/${randomUUID()}`,
  ]) {
    await freshWindow();
    let status = 0;
    let sent = 0;
    while (status !== 429 && sent <= LIMIT + 1) {
      status = (await request.get(path, { headers: { "x-forwarded-for": flooder }, maxRedirects: 0 })).status();
      sent += 1;
    }
    expect(status, path).toBe(429);
    expect(sent, `${path}: the first refused request is the one after the limit`).toBe(LIMIT + 1);
    const before = await rows();
    const refused = await request.get(path, { headers: { "x-forwarded-for": flooder }, maxRedirects: 0 });
    expect(refused.status()).toBe(429);
    expect(Number(refused.headers()["retry-after"])).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Too many requests");
    // HEAD and a "prefetch" header do not slip past it either. The callback answers HEAD with 204 before anything
    // else: it reads and writes nothing, not even the limiter's counter.
    expect((await request.head(path, { headers: { "x-forwarded-for": flooder }, maxRedirects: 0 })).status()).toBe(
      path.startsWith("/consent/callback") ? 204 : 429,
    );
    expect(
      (await request.get(path, { headers: { "x-forwarded-for": flooder, "next-router-prefetch": "1", purpose: "prefetch" }, maxRedirects: 0 })).status(),
    ).toBe(429);
    expect(await rows(), `${path}: refused requests write nothing`).toEqual(before);
    // Another client is served as usual.
    expect((await request.get(path, { headers: { "x-forwarded-for": other }, maxRedirects: 0 })).status(), path).not.toBe(429);
  }
});

test("a cross-site link or form pulls nothing from the SIEM API and audits nothing", async ({ page, sim, data }) => {
  test.setTimeout(90_000);
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("SiemCsrf");
  await signIn(page, admin.upn);
  const audits = () => data.prisma.auditEntry.count({ where: { customerId: c.id, action: "siem.pulled" } });
  const siemCalls = async () => Object.values((await sim.requests())["siem.alerts"] ?? {}).reduce((a, b) => a + b, 0);
  const before = { audits: await audits(), calls: await siemCalls() };
  const app = process.env.E2E_APP_URL!;
  const query = "pull=1&ago=P365D&format=csv";

  // The attacker's page: an image and a top-level link with the old GET URLs, and a form that posts the download.
  await page.route("https://evil.example/**", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><img src="${app}/api/customers/${c.id}/siem?${query}">
        <form id="f" method="post" action="${app}/api/customers/${c.id}/siem"><input name="ago" value="P365D"><input name="format" value="json"></form>
        <a id="go" href="${app}/customers/${c.id}/siem?${query}">prize</a>`,
    }),
  );
  await page.goto("https://evil.example/");
  const post = page.waitForResponse((r) => r.url().endsWith(`/api/customers/${c.id}/siem`) && r.request().method() === "POST");
  await page.evaluate(() => (document.getElementById("f") as HTMLFormElement).submit());
  expect((await post).status()).toBeGreaterThanOrEqual(400);
  await page.waitForURL(/\/api\/customers\//);
  await page.goto("https://evil.example/");
  await page.click("#go");
  await expect(page.getByTestId("deprecated-label")).toBeVisible();
  await expect(page.getByTestId("siem-count")).toHaveCount(0);

  // The same URLs fetched directly, with the session: GET is not a pull; a POST from another origin is refused.
  expect((await page.request.get(`/api/customers/${c.id}/siem?${query}`)).status()).toBe(405);
  expect(
    (await page.request.post(`/api/customers/${c.id}/siem`, { form: { ago: "P365D", format: "csv" }, headers: { origin: "https://evil.example" } })).status(),
  ).toBe(403);
  expect(
    (
      await page.request.post(`/api/customers/${c.id}/siem`, {
        form: { ago: "P365D", format: "csv" },
        headers: { origin: "null", "sec-fetch-site": "cross-site" },
      })
    ).status(),
  ).toBe(403);

  expect(await audits()).toBe(before.audits);
  expect(await siemCalls()).toBe(before.calls);

  // From the portal's own page the pull works (and is audited).
  await page.goto(`/customers/${c.id}/siem`);
  await page.getByLabel("Ago (ISO 8601 duration)").fill("P365D");
  await page.getByRole("button", { name: "Pull detections" }).click();
  await expect(page.getByTestId("siem-count")).toBeVisible();
  expect(await audits()).toBe(before.audits + 1);
});

test("an analyst cannot pull or download another customer's SIEM detections by posting its id", async ({ page, sim, data }) => {
  const { analyst } = await partnerUsers(sim);
  const a = await data.consentedCustomer("SiemA");
  const b = await data.consentedCustomer("SiemB");
  await signIn(page, analyst.upn);
  await data.assignOnly(analyst.oid, [a.id]);
  const res = await page.request.post(`/api/customers/${b.id}/siem`, { form: { ago: "P365D", format: "json" }, headers: { origin: process.env.E2E_APP_URL! } });
  expect(res.status()).toBe(404);
  expect(await res.text()).not.toContain(b.tenantId);
  expect(await data.prisma.auditEntry.count({ where: { customerId: b.id, action: "siem.pulled" } })).toBe(0);
});

test("the SIEM limit is capped with a message that says the maximum", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("SiemCap");
  await signIn(page, admin.upn);
  await page.goto(`/customers/${c.id}/siem`);
  await page.getByLabel(/^Limit/).fill("10001");
  await page.getByRole("button", { name: "Pull detections" }).click();
  await expect(page.locator("#limit-error")).toContainText("Between 1 and 10,000 detections");
});

test("health endpoints answer anonymously and reveal nothing but the state of each check", async ({ request }) => {
  const live = await request.get("/api/health/live");
  expect(live.status()).toBe(200);
  expect(await live.json()).toEqual({ status: "live" });
  // The e2e stack runs no worker, so the queue's schema may not exist yet: ready or not, the shape is the same.
  const ready = await request.get("/api/health/ready");
  const body = (await ready.json()) as { status: string; checks: Record<string, string> };
  expect(ready.status()).toBe(body.status === "ready" ? 200 : 503);
  expect(Object.keys(body).sort()).toEqual(["checks", "status"]);
  expect(body.checks).toMatchObject({ database: "ok", migrations: "ok" });
  expect(Object.keys(body.checks).sort()).toEqual(["database", "migrations", "queue"]);
  expect(ready.headers()["cache-control"]).toContain("no-store");
});

test("no HSTS over plain http (the e2e portal's NEXTAUTH_URL is http)", async ({ request }) => {
  for (const path of ["/signin", "/api/auth/csrf"]) expect((await request.get(path)).headers()["strict-transport-security"], path).toBeUndefined();
});

test("expected errors render a clear page in the production build: not found, no access, Microsoft's refusal", async ({ page, sim, data }) => {
  test.setTimeout(90_000);
  const { analyst, admin } = await partnerUsers(sim);
  await signIn(page, analyst.upn);
  for (const path of [`/incidents/${randomUUID()}`, `/customers/${randomUUID()}`]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  }
  for (const path of ["/settings", "/customers/new"]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(403);
    await expect(page.getByTestId("forbidden")).toContainText("This page is for partner admins");
  }

  // Microsoft refuses: the customer withdrew consent; the importer says so in words, with Microsoft's code.
  const c = await data.consentedCustomer("Refused");
  await sim.revokeConsent(c.tenantId);
  await page.context().clearCookies();
  await signIn(page, admin.upn);
  await page.goto(`/customers/${c.id}/siem`);
  await page.getByRole("button", { name: "Pull detections" }).click();
  await expect(page.getByTestId("siem-error")).toContainText("Microsoft");
  await expect(page.getByTestId("siem-error")).toContainText(/AADSTS\d+/);
});

test("the incident page shows the stored copy while it refreshes, and keeps it with its age when Microsoft is slow", async ({ page, sim, data }) => {
  test.setTimeout(60_000);
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("Slow", { sync: true });
  const incident = await data.prisma.incident.findFirstOrThrow({ where: { customerId: c.id }, select: { id: true, title: true } });
  await signIn(page, admin.upn);
  // Microsoft answers after 8 s; the page waits LIVE_REFRESH_TIMEOUT_MS (4 s by default), not longer.
  await sim.setFaults(c.tenantId, { latencyMs: 8_000 });
  try {
    await page.goto(`/incidents/${incident.id}`, { waitUntil: "commit" });
    await expect(page.getByTestId("refresh-pending")).toContainText("Refreshing from Microsoft");
    await expect(page.getByTestId("incident-title").filter({ visible: true })).toBeVisible();
    await expect(page.getByTestId("stale-notice").filter({ visible: true })).toContainText("Microsoft did not answer within 4 s", { timeout: 15_000 });
    await expect(page.getByTestId("stale-notice").filter({ visible: true })).toContainText(/old\)/);
    await expect(page.getByTestId("refresh-pending")).toHaveCount(0);
  } finally {
    await sim.setFaults(c.tenantId, { latencyMs: 0 });
  }
});
