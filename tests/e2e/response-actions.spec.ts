import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import type { SimControl } from "../support/sim-control.ts";
import { expect, partnerUsers, signIn, test } from "./fixtures.ts";

/**
 * Device response actions from the incident page, against the simulator's Defender for Endpoint machine actions:
 * isolate (Pending → Succeeded) and release, antivirus scan, investigation package and its link; a customer without
 * the permission; an analyst outside the customer's scope calling the actions directly.
 */
const WDATP = "https://api.securitycenter.microsoft.com";
const RESPONSE = ["Machine.Read.All", "Machine.Isolate", "Machine.Scan", "Machine.CollectForensics"];

type Data = { prisma: import("../../lib/db/client.ts").PrismaClient };

/** Grants the response permissions in the simulator and records them as the portal would after the upgrade consent. */
async function grantResponse(sim: SimControl, data: Data, c: { id: string; tenantId: string }) {
  await sim.grantConsent(c.tenantId, { [WDATP]: RESPONSE });
  await data.prisma.customer.update({ where: { id: c.id }, data: { grantedRoles: { push: RESPONSE.map((r) => `${WDATP}/${r}`) } } });
}

/** An incident of the customer whose evidence names a device, and that device. */
async function incidentWithDevice(data: Data, customerId: string) {
  const incidents = await data.prisma.incident.findMany({ where: { customerId }, select: { id: true, alerts: { select: { payload: true } } } });
  for (const inc of incidents) {
    for (const a of inc.alerts) {
      const d = (a.payload as { devices?: { id: string | null; name: string | null }[] }).devices?.find((x) => x.id && /^[0-9a-f]{40}$/.test(x.id));
      if (d) return { incidentId: inc.id, machineId: d.id!, name: d.name ?? d.id! };
    }
  }
  throw new Error("no incident names a device");
}

async function runAction(
  page: Page,
  machineId: string,
  key: string,
  comment: string,
  extra: (form: ReturnType<Page["getByTestId"]>) => Promise<void> = async () => {},
) {
  const panel = page.locator(`[data-testid="device-panel"][data-machine-id="${machineId}"]`);
  await panel.getByTestId(`device-action-${key}`).click();
  const form = panel.getByTestId("device-action-form");
  await expect(form).toBeVisible();
  await form.getByTestId("device-action-comment").fill(comment);
  await extra(form);
  await form.getByTestId("device-action-submit").click();
  await expect(form).toBeHidden();
  return panel;
}

test("isolate a device from an incident (Pending → Succeeded), release it, scan it, collect a package and get its link", async ({ page, sim, data }) => {
  test.setTimeout(90_000);
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("Responder", { sync: true });
  await grantResponse(sim, data, c);
  await sim.setMachineActionKnobs(c.tenantId, { pendingMs: 2500, runMs: 1500 });
  const { incidentId, machineId, name } = await incidentWithDevice(data, c.id);
  await signIn(page, admin.upn);
  await page.goto(`/incidents/${incidentId}`);

  const panel = page.locator(`[data-testid="device-panel"][data-machine-id="${machineId}"]`);
  await expect(panel.getByTestId("device-name")).toHaveText(name);
  await panel.getByTestId("device-action-isolate").click();
  const form = panel.getByTestId("device-action-form");
  // The confirmation names the customer and the device and says what isolation does.
  await expect(form).toContainText(c.displayName);
  await expect(form.getByTestId("device-action-explain")).toContainText("off the network");
  await form.getByLabel("Selective").check();
  await form.getByTestId("device-action-comment").fill("Ransomware behaviour on this host");
  await form.getByTestId("device-action-submit").click();
  await expect(form.getByTestId("device-action-error")).toBeVisible(); // the device name was not typed
  await form.getByTestId("device-action-confirm-name").fill(name);
  await form.getByTestId("device-action-submit").click();
  await expect(form).toBeHidden();
  const isolate = panel.locator('[data-testid="device-action"][data-type="Isolate"]');
  await expect(isolate.getByTestId("device-action-status")).toHaveText(/Pending|InProgress/);
  await expect(isolate.getByTestId("device-action-status")).toHaveText("Succeeded", { timeout: 20_000 });
  await expect(panel.getByTestId("device-isolation")).toHaveText("Isolated");
  const atMicrosoft = (await sim.machineActions(c.tenantId)).actions;
  expect(atMicrosoft.map((a) => a.body)).toEqual([{ Comment: "Ransomware behaviour on this host", IsolationType: "Selective" }]);

  await runAction(page, machineId, "release", "Cleaned, back to work");
  const release = panel.locator('[data-testid="device-action"][data-type="Unisolate"]');
  await expect(release.getByTestId("device-action-status")).toHaveText("Succeeded", { timeout: 20_000 });
  await expect(panel.getByTestId("device-isolation")).toHaveText("Not isolated");

  await runAction(page, machineId, "scan", "Quick scan after release");
  await expect(panel.locator('[data-testid="device-action"][data-type="RunAntiVirusScan"]').getByTestId("device-action-status")).toHaveText("Succeeded", {
    timeout: 20_000,
  });
  await runAction(page, machineId, "collect", "Forensics for the report");
  const collect = panel.locator('[data-testid="device-action"][data-type="CollectInvestigationPackage"]');
  await expect(collect.getByTestId("device-action-status")).toHaveText("Succeeded", { timeout: 20_000 });
  await collect.getByTestId("package-link-button").click();
  await expect(collect.getByTestId("package-link")).toHaveAttribute("href", /^https:\/\/userrequests-us\.securitycenter\.windows\.com(:443)?\/safedownload\//);

  const bodies = (await sim.machineActions(c.tenantId)).actions.map((a) => a.body);
  expect(bodies.slice(1)).toEqual([
    { Comment: "Cleaned, back to work" },
    { Comment: "Quick scan after release", ScanType: "Quick" },
    { Comment: "Forensics for the report" },
  ]);
  const audited = await data.prisma.auditEntry.findMany({ where: { customerId: c.id, action: { startsWith: "device." } }, select: { action: true } });
  expect(new Set(audited.map((a) => a.action))).toEqual(
    new Set(["device.isolate", "device.release", "device.scan", "device.collect_package", "device.package_link", "device.result"]),
  );
  // Each end state seen on the device panel is audited with who asked, the device, the comment and the result.
  const results = await data.prisma.auditEntry.findMany({
    where: { customerId: c.id, action: "device.result" },
    orderBy: { id: "asc" },
    select: { detail: true },
  });
  expect(results.map((r) => (r.detail as Record<string, unknown>).result)).toEqual(["Succeeded", "Succeeded", "Succeeded", "Succeeded"]);
  expect(results.map((r) => (r.detail as Record<string, unknown>).requestedByEmail)).toEqual(Array(4).fill(admin.upn));
  expect((results[0]!.detail as Record<string, unknown>).comment).toBe("Ransomware behaviour on this host");
});

test("a customer without the response permission: the device says what is missing, nothing reaches Microsoft", async ({ page, sim, data }) => {
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("NoResponse", { sync: true });
  const { incidentId, machineId } = await incidentWithDevice(data, c.id);
  await signIn(page, admin.upn);
  await page.goto(`/incidents/${incidentId}`);
  const panel = page.locator(`[data-testid="device-panel"][data-machine-id="${machineId}"]`);
  await expect(panel.getByTestId("response-missing")).toContainText("Machine.Isolate");
  await expect(panel.getByTestId("response-permission-link")).toHaveAttribute("href", `/customers/${c.id}`);
  for (const key of ["isolate", "release", "scan", "collect"]) await expect(panel.getByTestId(`device-action-${key}`)).toBeDisabled();
  const sent = (await sim.machineActionRequests()).requests.filter((r) => r.path.includes(machineId));
  expect(sent).toEqual([]);
});

test("an analyst outside the customer's scope cannot act: page not found, direct action calls refused, nothing sent", async ({ page, sim, data }) => {
  test.setTimeout(60_000);
  const { analyst } = await partnerUsers(sim);
  const mine = await data.consentedCustomer("RespMine", { sync: true });
  const theirs = await data.consentedCustomer("RespTheirs", { sync: true });
  await grantResponse(sim, data, mine);
  await grantResponse(sim, data, theirs);
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst.oid, [mine.id]);
  const own = await incidentWithDevice(data, mine.id);
  const other = await incidentWithDevice(data, theirs.id);

  expect((await page.request.get(`/incidents/${other.incidentId}`)).status()).toBe(404);

  // The analyst's own scan, through the UI: it reaches Microsoft. Its request (React's encoding of the action's
  // arguments) is kept and replayed below with the other customer's ids, as an attacker would.
  let captured: { url: string; headers: Record<string, string>; body: Buffer } | null = null;
  page.on("request", (req) => {
    const headers = req.headers();
    if (req.method() === "POST" && headers["next-action"] && !captured && req.postDataBuffer()?.includes(own.machineId)) {
      captured = { url: req.url(), headers, body: req.postDataBuffer()! };
    }
  });
  await page.goto(`/incidents/${own.incidentId}`);
  await runAction(page, own.machineId, "scan", "direct call");
  await expect.poll(async () => (await sim.machineActions(mine.tenantId)).actions.map((a) => a.body)).toEqual([{ Comment: "direct call", ScanType: "Quick" }]);
  expect(captured).not.toBeNull();
  const replay = async (from: [string, string][]) => {
    let body = captured!.body.toString("latin1");
    for (const [a, b] of from) body = body.split(a).join(b);
    const { "next-action": action, "content-type": type } = captured!.headers;
    const res = await page.request.post(captured!.url, {
      headers: { "Next-Action": action!, "Content-Type": type!, Accept: "text/x-component" },
      data: Buffer.from(body, "latin1"),
    });
    return res.text();
  };
  for (const swap of [
    [
      [own.incidentId, other.incidentId],
      [own.machineId, other.machineId],
    ], // the other customer's incident and device
    [[own.machineId, other.machineId]], // another customer's machine on my incident
    [
      [own.incidentId, "00000000-0000-4000-8000-000000000000"],
      [own.machineId, other.machineId],
    ],
  ] as [string, string][][]) {
    expect(await replay(swap)).not.toContain(theirs.displayName);
  }
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as { node: Record<string, { exportedName?: string }> };
  const idOf = (name: string) => Object.keys(manifest.node).find((k) => manifest.node[k]?.exportedName === name)!;
  const refresh = await page.request.post(`/incidents/${own.incidentId}`, {
    headers: { "Next-Action": idOf("refreshDeviceResponseAction"), "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
    data: JSON.stringify([{ incidentId: other.incidentId }]),
  });
  const refreshBody = await refresh.text();
  expect(refreshBody).not.toContain(other.machineId);
  expect(refreshBody).not.toContain(theirs.displayName);
  expect((await sim.machineActionRequests()).requests.filter((r) => r.path.includes(other.machineId))).toEqual([]);
  expect(await data.prisma.deviceAction.count({ where: { customerId: theirs.id } })).toBe(0);
  // The replays changed nothing for the analyst's own customer either (one scan, the UI's).
  expect((await sim.machineActions(mine.tenantId)).actions).toHaveLength(1);
});

test("a hostile device name renders inert in the device panel and its confirmation", async ({ page, sim, data }) => {
  const MARK = "dev" + Math.random().toString(36).slice(2, 8);
  const { admin } = await partnerUsers(sim);
  const c = await data.consentedCustomer("HostileDevice");
  await grantResponse(sim, data, c);
  const injected = (await sim.injectIncident(c.tenantId, {
    title: `Hostile device ${MARK}`,
    deviceDnsName: `<img src=x onerror="window.${MARK}=1" id="${MARK}">\u202Eexe`,
  })) as {
    incidentId: number;
  };
  await data.syncCustomer(c.id);
  const incident = await data.prisma.incident.findFirstOrThrow({ where: { customerId: c.id, sourceId: String(injected.incidentId) }, select: { id: true } });
  await signIn(page, admin.upn);
  await page.goto(`/incidents/${incident.id}`);
  const panel = page.getByTestId("device-panel").first();
  await expect(panel.getByTestId("device-name")).toContainText("<img src=x");
  await expect(panel.getByTestId("device-name")).toContainText("<U+202E>");
  await panel.getByTestId("device-action-isolate").click();
  await expect(panel.getByTestId("device-action-form")).toContainText("<img src=x");
  const state = await page.evaluate(
    (mark) => ({ flag: (window as unknown as Record<string, unknown>)[mark] ?? null, elements: document.querySelectorAll(`#${mark}`).length }),
    MARK,
  );
  expect(state).toEqual({ flag: null, elements: 0 });
});

test("an analyst without Responder: actions disabled with the reason, a direct server-action call refused and nothing sent; a partner admin's grant enables them", async ({
  page,
  browser,
  sim,
  data,
}) => {
  test.setTimeout(120_000);
  const { admin, directory } = await partnerUsers(sim);
  // Sasha Analyst: the demo analyst without the Portal.Responder app role.
  const plain = directory.partner.users.find((u) => u.roles.includes("Portal.Analyst") && !u.roles.includes("Portal.Responder"))!;
  expect(plain, "a demo analyst without Portal.Responder").toBeTruthy();
  const c = await data.consentedCustomer("NoResponderAnalyst", { sync: true });
  await grantResponse(sim, data, c);
  const { incidentId, machineId } = await incidentWithDevice(data, c.id);

  const analystContext = await browser.newContext();
  const analystPage = await analystContext.newPage();
  try {
    await signIn(analystPage, plain.upn);
    await expect(analystPage).toHaveURL(/\/overview$/, { timeout: 30_000 });
    await data.prisma.portalUser.update({ where: { entraObjectId: plain.oid }, data: { responderGrantedAt: null, responderGrantedById: null } });
    await data.assignOnly(plain.oid, [c.id]);
    await analystPage.goto(`/incidents/${incidentId}`);
    const panel = analystPage.locator(`[data-testid="device-panel"][data-machine-id="${machineId}"]`);
    await expect(panel.getByTestId("response-not-allowed")).toHaveText(
      "You need the Responder permission to run response actions — ask a partner admin (Settings → Users & access).",
    );
    for (const key of ["isolate", "release", "scan", "collect"]) await expect(panel.getByTestId(`device-action-${key}`)).toBeDisabled();

    // The admin runs a scan through the UI; its request (React's encoding of the action and its form) is replayed
    // with the analyst's cookie, as an analyst calling the server action directly would.
    let captured: { url: string; headers: Record<string, string>; body: Buffer } | null = null;
    page.on("request", (req) => {
      const headers = req.headers();
      if (req.method() === "POST" && headers["next-action"] && !captured && req.postDataBuffer()?.includes(machineId)) {
        captured = { url: req.url(), headers, body: req.postDataBuffer()! };
      }
    });
    await signIn(page, admin.upn);
    await page.goto(`/incidents/${incidentId}`);
    await runAction(page, machineId, "scan", "admin scan");
    await expect.poll(async () => (await sim.machineActions(c.tenantId)).actions.length).toBe(1);
    expect(captured).not.toBeNull();
    const receivedBefore = (await sim.machineActionRequests()).requests.length;
    const replayed = await analystPage.request.post(captured!.url, {
      headers: { "Next-Action": captured!.headers["next-action"]!, "Content-Type": captured!.headers["content-type"]!, Accept: "text/x-component" },
      data: captured!.body,
    });
    const answer = await replayed.text();
    expect(answer).toContain("You need the Responder permission");
    expect(answer).toContain("access_denied");
    expect((await sim.machineActionRequests()).requests.length, "nothing reached Microsoft").toBe(receivedBefore);
    expect((await sim.machineActions(c.tenantId)).actions).toHaveLength(1);
    expect(await data.prisma.deviceAction.count({ where: { customerId: c.id } })).toBe(1);

    // Nor may the analyst grant it to themselves by calling the Users & access action directly.
    const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as { node: Record<string, { exportedName?: string }> };
    const setResponderId = Object.keys(manifest.node).find((k) => manifest.node[k]?.exportedName === "setResponderAction")!;
    expect(setResponderId).toBeTruthy();
    const self = await data.prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: plain.oid } });
    const selfGrant = await analystPage.request.post(`/incidents/${incidentId}`, {
      headers: { "Next-Action": setResponderId, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
      data: JSON.stringify([{ userId: self.id, granted: true }]),
    });
    expect(await selfGrant.text()).toContain("access_denied");
    expect((await data.prisma.portalUser.findUniqueOrThrow({ where: { id: self.id } })).responderGrantedAt).toBeNull();

    // A partner admin grants Responder on Users & access: the analyst's next page has the actions enabled.
    await page.goto("/settings/users");
    const row = page.locator(`[data-testid="staff-row"][data-email="${plain.upn}"]`);
    await expect(row.getByTestId("staff-responder-state")).toHaveText("No");
    await row.getByTestId("responder-grant").click();
    await expect(row.getByTestId("staff-action-result")).toContainText("may now run device response actions");
    await page.reload();
    await expect(row.getByTestId("staff-responder-state")).toHaveText("Yes");
    await expect(row.getByTestId("staff-responder")).toContainText("Granted in the portal");
    expect(await data.prisma.auditEntry.count({ where: { action: "user.responder.granted", detail: { path: ["userId"], equals: self.id } } })).toBe(1);
    await analystPage.reload();
    await expect(panel.getByTestId("response-not-allowed")).toBeHidden();
    await expect(panel.getByTestId("device-action-isolate")).toBeEnabled();
  } finally {
    await data.prisma.portalUser.update({ where: { entraObjectId: plain.oid }, data: { responderGrantedAt: null, responderGrantedById: null } });
    await analystContext.close();
  }
});
