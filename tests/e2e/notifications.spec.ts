import { readFileSync } from "node:fs";
import type { APIRequestContext } from "@playwright/test";
import { expect, incidentRows, partnerUsers, signIn, test } from "./fixtures.ts";

/**
 * Notifications (issue 10 §2) in Chromium against the built portal, the simulator and the local receivers the stack
 * starts: an admin adds e-mail, Teams and webhook channels, Send test reaches the receivers' inbox page, a rule
 * announces a new high-severity incident created at the simulator (hostile title and all) after a sync, a
 * suppression marks the queue; analysts are refused the page and every action.
 */
test.describe.configure({ timeout: 120_000 });

const receiver = () => process.env.NOTIFY_ALLOWED_PRIVATE_URLS!;
type Inbox = { webhooks: { path: string; body: string; deliveryId: string | null }[]; mails: { subject: string; html: string; text: string }[] };
async function inbox(request: APIRequestContext): Promise<Inbox> {
  return (await (await request.get(`${receiver()}/_receiver/messages`)).json()) as Inbox;
}

const run = () => process.env.E2E_RUN ?? "x";
const HOSTILE = `<img src=x onerror=alert(1)> [click](https://evil.example) **now**`;

test("an admin sets up channels and a rule; a new incident at the simulator arrives as e-mail, card and webhook, inert", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const customer = await data.consentedCustomer("Notify", { sync: true });
  await signIn(page, admin.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await page.getByRole("link", { name: "Notifications" }).click();
  await expect(page).toHaveURL(/\/settings\/notifications$/);
  await expect(page.getByTestId("demo-inbox-link")).toHaveAttribute("href", `${receiver()}/`);

  const form = page.getByTestId("channel-form");
  const names = { email: `Mail ${run()}`, teams: `Teams ${run()}`, webhook: `PSA ${run()}` };
  // A Teams URL at the cloud metadata address is refused, and nothing is sent.
  const before = (await inbox(page.request)).webhooks.length;
  await form.getByLabel("Kind").selectOption("teams");
  await form.getByLabel("Name").fill("Metadata");
  await form.getByLabel("Workflows webhook URL").fill("https://169.254.169.254/latest/meta-data/");
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByTestId("channel-form-error")).toContainText("private, loopback, link-local");
  expect((await inbox(page.request)).webhooks.length).toBe(before);

  await form.getByLabel("Name").fill(names.teams);
  await form.getByLabel("Workflows webhook URL").fill(`${receiver()}/hooks/teams-${run()}`);
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByTestId("channel-form-done")).toContainText(`Channel “${names.teams}” created.`);

  await form.getByLabel("Kind").selectOption("webhook");
  await form.getByLabel("Name").fill(names.webhook);
  await form.getByLabel("Endpoint URL (https)").fill(`${receiver()}/hooks/psa-${run()}`);
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByTestId("channel-secret")).toContainText("shown only this once");
  const secret = (await page.getByTestId("channel-secret-value").textContent())!;
  expect(secret).toMatch(/^whsec_/);

  await form.getByLabel("Kind").selectOption("email");
  await form.getByLabel("Name").fill(names.email);
  await form.getByLabel(/Recipients/).fill("soc@e2e.test");
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByTestId("channel-form-done")).toContainText(`Channel “${names.email}” created.`);

  // Listed without the URL or the secret: host and last 4 characters only.
  await page.reload();
  const body = await page.content();
  expect(body).not.toContain(secret);
  expect(body).not.toContain(`/hooks/psa-${run()}`);

  // Send test on each: the result beside the button, and the message in the receivers' inbox page.
  for (const name of Object.values(names)) {
    const row = page.getByTestId("channel-row").filter({ hasText: name });
    await row.getByRole("button", { name: "Send test" }).click();
    await expect(row.getByTestId("send-test-done")).toContainText("Delivered");
  }
  const afterTest = await inbox(page.request);
  expect(afterTest.webhooks.some((w) => w.path === `/hooks/teams-${run()}` && w.body.includes("application/vnd.microsoft.card.adaptive"))).toBe(true);
  expect(afterTest.webhooks.some((w) => w.path === `/hooks/psa-${run()}` && JSON.parse(w.body).type === "test")).toBe(true);
  expect(afterTest.mails.some((m) => /Test message/.test(m.subject))).toBe(true);
  const inboxPage = await page.context().newPage();
  await inboxPage.goto(`${receiver()}/`);
  await expect(inboxPage.getByTestId("inbox-mails")).toContainText("Test message");
  await expect(inboxPage.getByTestId("inbox-webhooks")).toContainText("Teams card");

  // A rule: new incidents, high and above, to the three channels.
  const ruleName = `High ${run()}`;
  const rf = page.getByTestId("rule-form");
  await rf.getByLabel("Name").fill(ruleName);
  await rf.getByLabel("New incident").check();
  await rf.getByLabel("From severity").selectOption("high");
  await rf.getByLabel("For", { exact: true }).selectOption("customers");
  await rf.getByLabel("Customers").selectOption(customer.id);
  for (const name of Object.values(names)) await rf.getByLabel(name).check();
  await rf.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByTestId("rule-form-done")).toContainText(`Rule “${ruleName}” created.`);

  // A new high-severity incident at the simulator, with a hostile title; the next sync announces it.
  const title = `${HOSTILE} ${run()}`;
  await sim.injectIncident(customer.tenantId, { title, severity: "High" });
  await data.syncCustomer(customer.id);
  const { runNotificationCycle } = await import("../../lib/notify/worker.ts");
  const { notifyConfig } = await import("../../lib/config/notify.ts");
  await runNotificationCycle(data.prisma, { config: notifyConfig() });
  const got = await inbox(page.request);
  const mail = got.mails.find((m) => m.subject.includes(run()) && m.subject.includes("New incident"));
  expect(mail, "the e-mail arrived").toBeTruthy();
  expect(mail!.html).not.toContain("<img src=x");
  expect(mail!.html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  const card = got.webhooks.find((w) => w.path === `/hooks/teams-${run()}` && w.body.includes("New incident"));
  expect(card, "the card arrived").toBeTruthy();
  expect(card!.body).not.toContain("](https://evil");
  const hook = got.webhooks.find((w) => w.path === `/hooks/psa-${run()}` && JSON.parse(w.body).type === "incident.created");
  expect(JSON.parse(hook!.body).events[0].incident.title).toBe(title);

  // The inbox page shows it as text: no image element, no script ran.
  await inboxPage.reload();
  await expect(inboxPage.getByTestId("inbox-mails")).toContainText("<img src=x onerror=alert(1)>");
  expect(await inboxPage.locator("img").count()).toBe(0);
  await inboxPage.close();

  // The rule's delivery log: three delivered, with attempts, response code and latency.
  await page.reload();
  await page.getByTestId("rule-row").filter({ hasText: ruleName }).getByTestId("rule-log-link").click();
  await expect(page).toHaveURL(/rule=/);
  const delivered = page.getByTestId("delivery-row").and(page.locator('[data-status="delivered"]'));
  await expect(delivered).toHaveCount(3);
  await expect(page.getByTestId("delivery-counts")).toContainText("3 delivered");
  // The same sync again changes nothing: exactly once per (rule, incident, event).
  await data.syncCustomer(customer.id);
  await runNotificationCycle(data.prisma, { config: notifyConfig() });
  expect(await data.prisma.notificationDelivery.count({ where: { customerId: customer.id } })).toBe(3);

  // Edit the rule: the form opens pre-filled; a new name and minimum severity show in the list, and the
  // deliveries already made stay with the rule.
  await page.goto("/settings/notifications");
  await page.getByTestId("rule-row").filter({ hasText: ruleName }).getByTestId("edit-rule").click();
  await expect(page).toHaveURL(/edit=/);
  const ef = page.getByTestId("rule-form");
  await expect(ef).toHaveAttribute("data-mode", "edit");
  await expect(ef.getByLabel("Name")).toHaveValue(ruleName);
  await expect(ef.getByLabel("From severity")).toHaveValue("high");
  await expect(ef.getByLabel("New incident")).toBeChecked();
  await expect(ef.getByLabel("Customers")).toHaveValues([customer.id]);
  const renamed = `Renamed ${run()}`;
  await ef.getByLabel("Name").fill(renamed);
  await ef.getByLabel("From severity").selectOption("medium");
  await ef.getByRole("button", { name: "Save rule" }).click();
  await expect(page.getByTestId("rule-form-done")).toContainText(`Rule “${renamed}” saved.`);
  const edited = page.getByTestId("rule-row").filter({ hasText: renamed });
  await expect(edited).toContainText("from medium");
  await expect(page.getByTestId("rule-row").filter({ hasText: ruleName })).toHaveCount(0);
  await edited.getByTestId("rule-log-link").click();
  await expect(page.getByTestId("delivery-counts")).toContainText("3 delivered");
});

test("a suppression marks the matching incident in the queue, and it is not notified", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const customer = await data.consentedCustomer("Suppress", { sync: true });
  await signIn(page, admin.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await page.goto("/settings/notifications");
  const sf = page.getByTestId("suppression-form");
  await sf.getByLabel(/^Customers/).selectOption(customer.id);
  await sf.getByLabel(/Title contains/).fill(`Pen test ${run()}`);
  await sf.getByLabel("Until (UTC)").fill(new Date(Date.now() + 86_400_000).toISOString().slice(0, 16));
  await sf.getByLabel("Why").fill("Red team week");
  await sf.getByRole("button", { name: "Add suppression" }).click();
  await expect(page.getByTestId("suppression-form-done")).toContainText("Suppression created.");

  await sim.injectIncident(customer.tenantId, { title: `PEN TEST ${run()}: mimikatz`, severity: "High" });
  await data.syncCustomer(customer.id);
  await page.goto(`/incidents?customer=${customer.id}&range=all&q=${encodeURIComponent(`PEN TEST ${run()}`)}`);
  const row = incidentRows(page).filter({ hasText: `PEN TEST ${run()}` });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("suppressed-badge")).toContainText("Notifications suppressed by");
});

/** Server actions by exported name (as tests/e2e/actions.spec.ts finds them). */
function actionId(name: string): string {
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as { node: Record<string, { exportedName?: string }> };
  const id = Object.entries(manifest.node).find(([, e]) => e.exportedName === name)?.[0];
  expect(id, `${name} is in the build`).toBeTruthy();
  return id!;
}

test("an analyst gets 403 on the notifications page, no menu entry, and a denial from every notification action", async ({ page, sim, data }) => {
  const { analyst } = await partnerUsers(sim);
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByRole("link", { name: "Notifications" })).toHaveCount(0);
  const res = await page.goto("/settings/notifications");
  expect(res?.status()).toBe(403);
  await expect(page.getByTestId("forbidden")).toBeVisible();
  const channel = await data.prisma.notificationChannel.findFirst({ select: { id: true } });
  const before = {
    channels: await data.prisma.notificationChannel.count(),
    rules: await data.prisma.notificationRule.count(),
    suppressions: await data.prisma.notificationSuppression.count({ where: { endedAt: null } }),
  };
  const id = channel?.id ?? "00000000-0000-4000-8000-000000000000";
  const calls: [string, unknown[], Record<string, string>?][] = [
    ["createChannelAction", [null], { kind: "email", name: "analyst", recipients: "a@b.test" }],
    ["deleteChannelAction", [id, null]],
    ["testChannelAction", [id, null]],
    ["setChannelEnabledAction", [id, false, null]],
    ["createRuleAction", [null], { name: "analyst", kinds: "incident.created", channelIds: id }],
    ["updateRuleAction", [id, null], { name: "analyst", kinds: "incident.created", channelIds: id }],
    ["setRuleEnabledAction", [id, false, null]],
    ["deleteRuleAction", [id, null]],
    ["createSuppressionAction", [null], { reason: "analyst", until: "2099-01-01T00:00" }],
    ["endSuppressionAction", [id, null]],
  ];
  for (const [name, args, form] of calls) {
    const headers = { "Next-Action": actionId(name), Accept: "text/x-component" };
    const r = form
      ? await page.request.post("/settings/notifications", {
          headers,
          multipart: { "0": JSON.stringify([...args, "$K1"]), ...Object.fromEntries(Object.entries(form).map(([k, v]) => [`_1_${k}`, v])) },
          maxRedirects: 0,
        })
      : await page.request.post("/settings/notifications", {
          headers: { ...headers, "Content-Type": "text/plain;charset=UTF-8" },
          data: JSON.stringify(args),
          maxRedirects: 0,
        });
    const text = await r.text();
    expect(text, name).toContain('"code":"access_denied"');
  }
  expect(await data.prisma.notificationChannel.count()).toBe(before.channels);
  expect(await data.prisma.notificationRule.count()).toBe(before.rules);
  expect(await data.prisma.notificationSuppression.count({ where: { endedAt: null } })).toBe(before.suppressions);
});
