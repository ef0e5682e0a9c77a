import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, incidentRows, partnerUsers, signIn, test } from "./fixtures.ts";

/**
 * Runs last (file order): after every other spec has signed in, consented, synced and exported, no client secret,
 * session secret, private key or access token may appear in what the browser received, the client bundles, the
 * database or the portal's log.
 */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
// A webhook signing secret is shown once, in the answer of the action that created it; never anywhere after.
const WEBHOOK_SECRET = /whsec_[A-Za-z0-9_-]{20,}/;
const notifyKey = () => (process.env.NOTIFY_ENCRYPTION_KEY_FILE ? readFileSync(process.env.NOTIFY_ENCRYPTION_KEY_FILE, "utf8").trim() : undefined);
const tokenCacheKey = () =>
  process.env.TOKEN_CACHE_ENCRYPTION_KEY_FILE
    ? readFileSync(process.env.TOKEN_CACHE_ENCRYPTION_KEY_FILE, "utf8").trim()
    : process.env.TOKEN_CACHE_ENCRYPTION_KEY;

function leaks(text: string): string[] {
  const found: string[] = [];
  const secrets = {
    ENTRA_CLIENT_SECRET: process.env.ENTRA_CLIENT_SECRET,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET,
    NOTIFY_ENCRYPTION_KEY: notifyKey(),
    TOKEN_CACHE_ENCRYPTION_KEY: tokenCacheKey(),
    METRICS_TOKEN: process.env.METRICS_TOKEN,
  };
  for (const [name, value] of Object.entries(secrets)) if (value && value.length >= 8 && text.includes(value)) found.push(name);
  if (text.includes("PRIVATE KEY-----")) found.push("private key");
  if (JWT.test(text)) found.push(`access token (${JWT.exec(text)![0].slice(0, 24)}…)`);
  if (WEBHOOK_SECRET.test(text)) found.push("webhook signing secret");
  return found;
}

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

test("no secret or token reaches the browser, the client bundles, the database or the log", async ({ page, sim, data }) => {
  // Consent, sync, eight pages, a SIEM pull and an incident, on a shared 2-core machine.
  test.setTimeout(90_000);
  expect(process.env.ENTRA_CLIENT_SECRET?.length).toBeGreaterThan(8);
  const received: { url: string; body: string }[] = [];
  page.on("response", async (res) => {
    const type = res.headers()["content-type"] ?? "";
    if (!/html|javascript|json|text/.test(type) || !res.url().startsWith(process.env.E2E_APP_URL!)) return;
    received.push({ url: res.url(), body: await res.text().catch(() => "") });
  });
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("Secrets", { sync: true });
  const groups = await import("../../lib/data/groups.ts");
  const group = await groups.createGroup(await data.adminViewer(), { name: `Secrets group ${c.id.slice(0, 8)}` });
  if (!group.ok || !("value" in group)) throw new Error(JSON.stringify(group));
  await groups.addGroupCustomers(await data.adminViewer(), group.value.id, [c.id]);
  await signIn(page, admin.upn);
  const { createBulkJob } = await import("../../lib/data/bulk.ts");
  const someIncidents = await data.prisma.incident.findMany({ where: { customerId: c.id }, take: 2, select: { id: true } });
  const job = await createBulkJob(await data.adminViewer(), { fields: { status: "InProgress" }, ids: someIncidents.map((i) => i.id) });
  if (!job.ok) throw new Error(JSON.stringify(job));
  for (const path of [
    "/incidents/bulk",
    `/incidents/bulk/${job.value.id}`,
    "/settings/groups",
    `/settings/groups/${group.value.id}`,
    "/settings/audit",
    `/incidents?range=all&group=${group.value.id}`,
    `/overview?group=${group.value.id}`,
    "/overview",
    "/customers",
    `/customers/${c.id}`,
    "/incidents?range=all",
    "/alerts?range=all",
    "/settings",
    "/settings/users",
    "/settings/notifications",
    `/customers/${c.id}/siem?pull=1&ago=P30D`,
    `/customers/${c.id}/report`,
    "/settings/sla",
    `/customers/${c.id}/connect`,
  ]) {
    await page.goto(path);
  }
  // Downloads are not page responses: the report's CSV is fetched with the session and scanned the same way.
  const reportCsv = `/api/customers/${c.id}/report/csv`;
  received.push({ url: reportCsv, body: await (await page.request.get(reportCsv)).text() });
  // The SIEM importer's pull is a server action (POST): its answer is scanned like the pages.
  await page.goto(`/customers/${c.id}/siem`);
  await page.getByLabel("Ago (ISO 8601 duration)").fill("P30D");
  await page.getByRole("button", { name: "Pull detections" }).click();
  await expect(page.getByTestId("siem-count")).toBeVisible();
  await page.goto("/incidents?range=all");
  await incidentRows(page).first().getByRole("link").first().click();
  await expect(page.getByTestId("incident-title").filter({ visible: true })).toBeVisible();
  // A device response action (recorded, audited, its status followed from Microsoft on the incident page).
  const WDATP = "https://api.securitycenter.microsoft.com";
  const RESPONSE = ["Machine.Read.All", "Machine.Isolate", "Machine.Scan", "Machine.CollectForensics"];
  await sim.grantConsent(c.tenantId, { [WDATP]: RESPONSE });
  await data.prisma.customer.update({ where: { id: c.id }, data: { grantedRoles: { push: RESPONSE.map((r) => `${WDATP}/${r}`) } } });
  const withDevice = (await data.prisma.alert.findMany({ where: { customerId: c.id, incidentId: { not: null } }, select: { incidentId: true, payload: true } }))
    .map((a) => ({ incidentId: a.incidentId!, device: (a.payload as { devices?: { id: string | null; name: string | null }[] }).devices?.find((d) => d.id) }))
    .find((a) => a.device);
  if (withDevice) {
    const { requestDeviceAction } = await import("../../lib/data/device-actions.ts");
    const r = await requestDeviceAction(
      await data.adminViewer(),
      { incidentId: withDevice.incidentId },
      { action: "collect", machineId: withDevice.device!.id, comment: "secrets scan" },
    );
    if (!r.ok) throw new Error(JSON.stringify(r));
    await page.goto(`/incidents/${withDevice.incidentId}`);
    await expect(page.getByTestId("device-response")).toBeVisible();
  }
  // A hunt over the customer (its page, the Hunting page with its history, and both exports).
  const { createHuntRun } = await import("../../lib/data/hunting.ts");
  // As the signed-in admin: a hunt is its starter's own (another admin's export is "not found").
  const me = await data.prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: admin.oid } });
  const hunt = await createHuntRun(
    { userId: me.id, partnerId: me.partnerId, name: me.displayName, email: me.email, role: "ADMIN", customerScope: "all" },
    { query: "DeviceInfo | take 5", timespan: "P7D", scope: "pick", customers: [c.id] },
  );
  if (!hunt.ok) throw new Error(JSON.stringify(hunt));
  await page.goto(`/hunting/runs/${hunt.value.id}`);
  await page.goto("/hunting");
  // Downloads are not page responses: the audit log's, the queue's and the hunt's exports are scanned like them.
  for (const url of [
    "/api/audit/export",
    `/api/incidents/export?range=all&group=${group.value.id}`,
    `/api/hunting/runs/${hunt.value.id}/export?format=csv`,
    `/api/hunting/runs/${hunt.value.id}/export?format=json`,
  ]) {
    const res = await page.request.get(url);
    expect(res.status(), url).toBe(200);
    received.push({ url, body: await res.text() });
  }
  const browserLeaks = received.flatMap((r) => leaks(r.body).map((l) => `${r.url}: ${l}`));
  expect(received.length).toBeGreaterThan(10);
  expect(browserLeaks).toEqual([]);
  // Cookies the browser holds: the session is an encrypted JWE, never a Microsoft token.
  for (const cookie of await page.context().cookies()) expect(leaks(cookie.value), cookie.name).toEqual([]);

  const bundleLeaks = [...files(".next/static")].flatMap((f) => leaks(readFileSync(f, "utf8")).map((l) => `${f}: ${l}`));
  expect(bundleLeaks).toEqual([]);

  const tables = await data.prisma.$queryRawUnsafe<{ table_name: string }[]>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  expect(tables.length).toBeGreaterThan(5);
  const dbLeaks: string[] = [];
  for (const { table_name } of tables) {
    const rows = await data.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${table_name.replace(/"/g, "")}" t`);
    for (const r of rows) dbLeaks.push(...leaks(r.row).map((l) => `${table_name}: ${l}`));
  }
  expect(dbLeaks).toEqual([]);
  // Analysts' delegated token caches (user-context.spec.ts connected one): sealed ciphertext only, never a token, a
  // refresh token or MSAL's JSON in the clear.
  const caches = await data.prisma.$queryRawUnsafe<{ ciphertext: string; username: string }[]>(`SELECT "ciphertext", "username" FROM "DelegatedTokenCache"`);
  expect(caches.length, "user-context.spec.ts leaves a connected analyst").toBeGreaterThan(0);
  for (const row of caches) {
    expect(row.ciphertext).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(row.ciphertext).not.toMatch(/RefreshToken|AccessToken|secret|eyJ[A-Za-z0-9_-]{8,}\./);
  }

  const log = readFileSync(join(".data", "e2e", "portal.log"), "utf8");
  expect(log.length).toBeGreaterThan(0);
  expect(leaks(log)).toEqual([]);
  // Structured logs (issue 12 §4): one JSON object per line; the requests carry request ids, never a customer's id in
  // a path (the route pattern is logged instead).
  const lines = log
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return { notJson: l };
      }
    });
  expect(lines.filter((l) => "notJson" in l)).toEqual([]);
  const requests = lines.filter((l) => l.msg === "request");
  expect(requests.length).toBeGreaterThan(10);
  expect(requests.every((l) => typeof l.requestId === "string" && typeof l.route === "string")).toBe(true);
  expect(requests.some((l) => l.route === "/customers/[id]")).toBe(true);
  expect(log).not.toContain(`/customers/${c.id}`);

  // The metrics the web process serves: no secret, token, tenant id, customer id or name in any series.
  expect((await page.request.get("/api/metrics")).status()).toBe(401);
  const scrape = await page.request.get("/api/metrics", { headers: { authorization: `Bearer ${process.env.METRICS_TOKEN}` } });
  expect(scrape.status()).toBe(200);
  const metricsText = await scrape.text();
  expect(metricsText).toContain('portal_web_request_duration_seconds_count{route="/customers/[id]"');
  expect(leaks(metricsText)).toEqual([]);
  const customer = await data.prisma.customer.findUniqueOrThrow({ where: { id: c.id }, select: { tenantId: true, displayName: true } });
  for (const value of [c.id, customer.tenantId!, customer.displayName]) expect(metricsText).not.toContain(value);
});
