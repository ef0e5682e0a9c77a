import { readFileSync } from "node:fs";
import { listAppRoutes } from "../support/routes.ts";
import { expect, partnerUsers, signIn, test } from "./fixtures.ts";

/**
 * An analyst assigned to customer A walks every route of the app (found from app/), with customer B's ids wherever
 * a route takes one, and every server action with B's customer id: nothing of B comes back, nothing of B changes.
 */
test("an analyst of customer A finds nothing of customer B on any route, handler or action", async ({ page, sim, data }) => {
  test.setTimeout(90_000);
  const { analyst } = await partnerUsers(sim);
  const a = await data.consentedCustomer("Alpha", { sync: true });
  const b = await data.consentedCustomer("Bravo", { sync: true });
  await signIn(page, analyst.upn);
  await expect(page).toHaveURL(/\/overview$/);
  await data.assignOnly(analyst.oid, [a.id]);

  const bIncidents = await data.prisma.incident.findMany({ where: { customerId: b.id }, select: { id: true, title: true, sourceId: true } });
  const bAlert = await data.prisma.alert.findFirstOrThrow({ where: { customerId: b.id }, select: { id: true, title: true } });
  expect(bIncidents.length).toBeGreaterThan(0);
  const aIncident = await data.prisma.incident.findFirstOrThrow({ where: { customerId: a.id }, select: { id: true } });
  // Markers that only B's data can produce (titles are shared across tenants by the generator; ids and names are not).
  const secrets = [b.displayName, b.tenantId, b.id, ...bIncidents.map((i) => i.id), bAlert.id];

  // A bulk job over B's incidents (started by an admin): its page and its retry action are walked too.
  const { createBulkJob } = await import("../../lib/data/bulk.ts");
  const bJob = await createBulkJob(await data.adminViewer(), { fields: { status: "InProgress" }, ids: bIncidents.slice(0, 2).map((i) => i.id) });
  if (!bJob.ok) throw new Error(JSON.stringify(bJob));
  const bJobState = async () =>
    JSON.stringify(
      await data.prisma.bulkJob.findUniqueOrThrow({
        where: { id: bJob.value.id },
        select: { status: true, runs: true, items: { orderBy: { incidentId: "asc" } } },
      }),
    );
  const bJobBefore = await bJobState();

  // A group holding B (and a shared view naming it): its id on the admin-only group page, its customers nowhere.
  const groups = await import("../../lib/data/groups.ts");
  const bGroup = await groups.createGroup(await data.adminViewer(), { name: `Bravo group ${b.id.slice(0, 8)}` });
  if (!bGroup.ok || !("value" in bGroup)) throw new Error(JSON.stringify(bGroup));
  await groups.addGroupCustomers(await data.adminViewer(), bGroup.value.id, [b.id]);
  secrets.push(bGroup.value.id);
  // Hunting: an admin's hunt over B (its page and export are walked with its id), and the analyst's own hunt that
  // still holds rows of B from when B was theirs: only A's rows may show. Rows carry a marker only B's data has.
  const analystUser = await data.prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: analyst.oid } });
  const bRowMarker = `bravo-row-${b.id.slice(0, 8)}`;
  const aRowMarker = `alpha-row-${a.id.slice(0, 8)}`;
  secrets.push(bRowMarker);
  const huntOf = async (createdById: string, tenants: { id: string; displayName: string; marker: string }[]) => {
    const id = crypto.randomUUID();
    await data.prisma.huntRun.create({
      data: {
        id,
        partnerId: (await data.adminViewer()).partnerId,
        createdById,
        query: "DeviceInfo | take 1",
        timespan: "P7D",
        selection: { kind: "all", label: "All my customers" },
        status: "finished",
        total: tenants.length,
        rowCap: 100,
        columns: [{ name: "DeviceName", type: "String" }],
        resultsExpireAt: new Date(Date.now() + 86_400_000),
        tenants: { create: tenants.map((t) => ({ customerId: t.id, customerName: t.displayName, status: "done", rowCount: 1 })) },
        rows: { create: tenants.map((t) => ({ customerId: t.id, seq: 0, data: { DeviceName: t.marker } })) },
      },
    });
    return id;
  };
  const bHunt = await huntOf((await data.adminViewer()).userId, [{ id: b.id, displayName: b.displayName, marker: bRowMarker }]);
  secrets.push(bHunt);
  const ownHunt = await huntOf(analystUser.id, [
    { id: a.id, displayName: a.displayName, marker: aRowMarker },
    { id: b.id, displayName: b.displayName, marker: bRowMarker },
  ]);
  const bQuery = await data.prisma.huntQuery.create({
    data: {
      id: crypto.randomUUID(),
      partnerId: (await data.adminViewer()).partnerId,
      ownerId: (await data.adminViewer()).userId,
      name: "Admin's own",
      query: "DeviceInfo",
    },
  });
  const ids: Record<string, string> = {
    customers: b.id,
    incidents: bIncidents[0]!.id,
    alerts: bAlert.id,
    groups: bGroup.value.id,
    bulk: bJob.value.id,
    runs: bHunt,
  };
  const routes = listAppRoutes();
  const skip = new Set(["/api/auth/[...nextauth]", "/onboard/[state]", "/consent/outcome/[id]", "/consent/callback"]);
  const visited: string[] = [];
  for (const r of routes) {
    if (skip.has(r.pattern)) continue;
    const url = r.pattern.replace(/\/([a-z-]+)\/\[id\]/g, (_m, parent: string) => `/${parent}/${ids[parent] ?? b.id}`);
    const withFilter = `${url}${url.includes("?") ? "&" : "?"}customer=${b.id}&range=all`;
    // The group filter of B's group: it narrows the analyst's customers, never widens them to B.
    const withGroup = `${url}${url.includes("?") ? "&" : "?"}group=${bGroup.value.id}&range=all`;
    for (const target of [url, withFilter, withGroup]) {
      const res = await page.request.get(target, { maxRedirects: 0 });
      visited.push(`${target} → ${res.status()}`);
      const body = await res.text();
      // The request's own URL is echoed in Next's payload: only markers the attacker did not send count.
      for (const s of secrets.filter((x) => !target.includes(x))) expect(body, `${target} leaked ${s}`).not.toContain(s);
      // A handler without GET (its requests have side effects: POST only) answers 405 to the walk's GET.
      const getless = r.kind === "route" && !/export (async )?function GET\b/.test(readFileSync(r.file, "utf8"));
      if (r.pattern.includes("[id]")) expect(getless ? [405] : [404, 401, 307], `${target}`).toContain(res.status());
    }
    if (r.kind === "route" && /export (async )?function POST\b/.test(readFileSync(r.file, "utf8")) && !r.pattern.startsWith("/api/auth")) {
      // POST handlers too, from the portal's own origin, with B's ids.
      const res = await page.request.post(url, { form: { ago: "P365D", format: "json" }, headers: { origin: process.env.E2E_APP_URL! }, maxRedirects: 0 });
      visited.push(`POST ${url} → ${res.status()}`);
      const body = await res.text();
      for (const s of secrets.filter((x) => !url.includes(x))) expect(body, `POST ${url} leaked ${s}`).not.toContain(s);
      if (r.pattern.includes("[id]")) expect([404, 401, 403], `POST ${url}`).toContain(res.status());
    }
  }
  expect(visited.length).toBeGreaterThan(10);

  // Type-ahead with B's incident titles: suggestions come only from A (titles repeat across tenants, ids do not).
  for (const title of new Set(bIncidents.slice(0, 5).map((i) => i.title))) {
    const body = await (await page.request.get(`/api/search/suggest?q=${encodeURIComponent(title.slice(0, 40))}`)).text();
    for (const s of secrets) expect(body, `suggestions for "${title}" leaked ${s}`).not.toContain(s);
  }

  const picker = await (await page.request.get(`/api/search/customers?q=${encodeURIComponent(b.displayName.slice(0, 12))}`)).text();
  for (const s of secrets) expect(picker, `customer picker leaked ${s}`).not.toContain(s);

  // The analyst's own hunt: A's rows show, B's rows (B is no longer theirs) do not, on the page or in either export.
  for (const target of [`/hunting/runs/${ownHunt}`, `/api/hunting/runs/${ownHunt}/export?format=csv`, `/api/hunting/runs/${ownHunt}/export?format=json`]) {
    const res = await page.request.get(target);
    expect(res.status(), target).toBe(200);
    const body = await res.text();
    expect(body, target).toContain(aRowMarker);
    for (const s of secrets) expect(body, `${target} leaked ${s}`).not.toContain(s);
  }
  // Hunting actions with B's ids: a hunt over B is refused and not made; another's hunt is not retried; another's
  // saved query is not deleted.
  const huntBefore = await data.prisma.huntRun.count();
  const huntActions = (JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as { node: Record<string, { exportedName?: string }> })
    .node;
  for (const [name, args] of [
    ["retryHuntAction", [bHunt]],
    ["deleteHuntQueryAction", [bQuery.id]],
  ] as const) {
    const id = Object.keys(huntActions).find((x) => huntActions[x]?.exportedName === name);
    expect(id, name).toBeTruthy();
    const res = await page.request.post(`/hunting`, {
      headers: { "Next-Action": id!, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
      data: JSON.stringify(args),
      maxRedirects: 0,
    });
    for (const s of secrets.filter((x) => !JSON.stringify(args).includes(x))) expect(await res.text(), `${name} leaked ${s}`).not.toContain(s);
  }
  await page.goto("/hunting");
  await page.getByTestId("hunt-scope-pick").check();
  await page.getByRole("textbox", { name: "Find a customer" }).fill(b.displayName.slice(0, 12));
  await expect(page.getByTestId("customer-picker").getByRole("option")).toHaveCount(0);
  const { createHuntRun } = await import("../../lib/data/hunting.ts");
  const viewerModule = await import("../../lib/auth/viewer.ts");
  const analystViewer: import("../../lib/auth/viewer.ts").Viewer = {
    userId: analystUser.id,
    partnerId: analystUser.partnerId,
    name: analystUser.displayName,
    email: analystUser.email,
    role: "ANALYST",
    customerScope: [a.id],
  };
  expect(viewerModule.can(analystViewer, "hunting:run")).toBe(true);
  const refused = await createHuntRun(analystViewer, { query: "DeviceInfo", timespan: "P7D", scope: "pick", customers: [b.id] });
  expect(refused.ok).toBe(false);
  expect(await data.prisma.huntRun.count()).toBe(huntBefore);
  expect(await data.prisma.huntQuery.count({ where: { id: bQuery.id } })).toBe(1);
  expect((await data.prisma.huntRun.findUniqueOrThrow({ where: { id: bHunt } })).status).toBe("finished");

  // Sanity: the same walk does show A's own data to the analyst.
  expect((await page.request.get(`/incidents/${aIncident.id}`)).status()).toBe(200);
  expect(await (await page.request.get(`/customers/${a.id}`)).text()).toContain(a.displayName);

  // Server actions, called directly by id (as an attacker would), with B's customer id.
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as { node: Record<string, { exportedName?: string }> };
  const before = {
    requests: await data.prisma.consentRequest.count({ where: { customerId: b.id } }),
    assignments: await data.prisma.analystAssignment.count({ where: { customerId: b.id } }),
    sync: JSON.stringify(
      await data.prisma.syncState.findMany({ where: { customerId: b.id }, orderBy: { feed: "asc" }, select: { nextRunAt: true, progress: true } }),
    ),
    customer: JSON.stringify(await data.prisma.customer.findUniqueOrThrow({ where: { id: b.id } })),
    groups: JSON.stringify(
      await data.prisma.customerGroup.findMany({
        orderBy: { id: "asc" },
        select: { id: true, name: true, description: true, members: { orderBy: { customerId: "asc" } }, analysts: { orderBy: { userId: "asc" } } },
      }),
    ),
    views: JSON.stringify(await data.prisma.savedView.findMany({ orderBy: { id: "asc" } })),
    // Responder grants are given by partner admins only (setResponderAction): an analyst's calls change none.
    responders: JSON.stringify(await data.prisma.portalUser.findMany({ orderBy: { id: "asc" }, select: { id: true, responderGrantedAt: true } })),
    // Notification settings are admin-only: no action called by the analyst may add, change or remove any.
    notifications: JSON.stringify(
      await Promise.all([
        data.prisma.notificationChannel.findMany({ orderBy: { id: "asc" }, select: { id: true, enabled: true } }),
        data.prisma.notificationRule.findMany({ orderBy: { id: "asc" }, select: { id: true, enabled: true } }),
        data.prisma.notificationSuppression.findMany({ orderBy: { id: "asc" }, select: { id: true, endedAt: true } }),
      ]),
    ),
    slaPolicies: JSON.stringify(await data.prisma.slaPolicy.findMany({ orderBy: { id: "asc" } })),
  };
  // B's delegated token cache (an admin connected to B): no analyst call with B's id reads, replaces or removes it.
  const bTokenCache = await data.prisma.delegatedTokenCache.create({
    data: { userId: (await data.adminViewer()).userId, customerId: b.id, ciphertext: "v1.aaaa.bbbb.cccc", username: "fixture@bravo" },
  });
  const delegatedBefore = JSON.stringify(await data.prisma.delegatedTokenCache.findMany({ orderBy: [{ userId: "asc" }, { customerId: "asc" }] }));
  const actionIds = Object.keys(manifest.node);
  expect(actionIds.length).toBeGreaterThan(3);
  for (const id of actionIds) {
    const res = await page.request.post(`/customers/${a.id}`, {
      headers: { "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
      data: JSON.stringify([b.id]),
      maxRedirects: 0,
    });
    const body = await res.text();
    for (const s of secrets.slice(0, 2)) expect(body, `action ${manifest.node[id]?.exportedName ?? id} leaked ${s}`).not.toContain(s);
  }
  // The bulk job's retry, called with B's job id: refused, nothing queued again.
  const retryIds = actionIds.filter((x) => manifest.node[x]?.exportedName === "retryBulkJobAction");
  expect(retryIds.length).toBeGreaterThan(0);
  for (const id of retryIds) {
    const res = await page.request.post(`/incidents`, {
      headers: { "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
      data: JSON.stringify([bJob.value.id]),
      maxRedirects: 0,
    });
    expect(await res.text()).not.toContain(b.displayName);
  }
  // Device response actions with B's incident, alert and action ids: nothing of B comes back, nothing reaches Microsoft.
  const bDeviceAction = await data.prisma.deviceAction.create({
    data: {
      id: crypto.randomUUID(),
      customerId: b.id,
      incidentId: bIncidents[0]!.id,
      machineId: "b".repeat(40),
      type: "CollectInvestigationPackage",
      comment: "B's package",
      requestedById: (await data.adminViewer()).userId,
      requestedByEmail: "fixture@e2e",
      microsoftActionId: crypto.randomUUID(),
      status: "Succeeded",
    },
  });
  const deviceCalls: [string, unknown[]][] = [
    ["refreshDeviceResponseAction", [{ incidentId: bIncidents[0]!.id }]],
    ["refreshDeviceResponseAction", [{ alertId: bAlert.id }]],
    ["packageLinkAction", [bDeviceAction.id]],
  ];
  for (const [name, args] of deviceCalls) {
    const id = actionIds.find((x) => manifest.node[x]?.exportedName === name);
    expect(id, name).toBeTruthy();
    const res = await page.request.post(`/incidents/${aIncident.id}`, {
      headers: { "Next-Action": id!, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
      data: JSON.stringify(args),
      maxRedirects: 0,
    });
    const body = await res.text();
    for (const s of [...secrets, "B's package"].filter((x) => !JSON.stringify(args).includes(x))) expect(body, `${name} leaked ${s}`).not.toContain(s);
  }
  expect(await data.prisma.deviceAction.count({ where: { customerId: b.id } })).toBe(1);
  const bMachines = (await sim.machines(b.tenantId)).machines.map((m) => m.id);
  const sentForB = (await sim.machineActionRequests()).requests.filter(
    (r) => bMachines.some((m) => r.path.includes(m)) || r.path.includes(bDeviceAction.microsoftActionId!),
  );
  expect(sentForB, "no machine action or package link asked of Microsoft for B").toEqual([]);
  expect(await bJobState()).toBe(bJobBefore);
  // User context (issue 13): connect, disconnect and the write mode, called with B's id, change no token cache of B's
  // and start no connection (the customer row, write mode included, is compared below).
  for (const name of ["connectDelegatedAction", "disconnectDelegatedAction", "setWriteModeAction"]) {
    expect(
      actionIds.some((x) => manifest.node[x]?.exportedName === name),
      name,
    ).toBe(true);
  }
  expect(JSON.stringify(await data.prisma.delegatedTokenCache.findMany({ orderBy: [{ userId: "asc" }, { customerId: "asc" }] }))).toBe(delegatedBefore);
  await data.prisma.delegatedTokenCache.delete({ where: { userId_customerId: { userId: bTokenCache.userId, customerId: b.id } } });
  expect(await data.prisma.consentRequest.count({ where: { customerId: b.id } })).toBe(before.requests);
  expect(await data.prisma.analystAssignment.count({ where: { customerId: b.id } })).toBe(before.assignments);
  expect(
    JSON.stringify(
      await data.prisma.syncState.findMany({ where: { customerId: b.id }, orderBy: { feed: "asc" }, select: { nextRunAt: true, progress: true } }),
    ),
  ).toBe(before.sync);
  expect(JSON.stringify(await data.prisma.customer.findUniqueOrThrow({ where: { id: b.id } }))).toBe(before.customer);
  expect(
    JSON.stringify(
      await data.prisma.customerGroup.findMany({
        orderBy: { id: "asc" },
        select: { id: true, name: true, description: true, members: { orderBy: { customerId: "asc" } }, analysts: { orderBy: { userId: "asc" } } },
      }),
    ),
    "an analyst's calls to the group actions change no group, member or group assignment",
  ).toBe(before.groups);
  expect(JSON.stringify(await data.prisma.savedView.findMany({ orderBy: { id: "asc" } }))).toBe(before.views);
  expect(
    JSON.stringify(await data.prisma.portalUser.findMany({ orderBy: { id: "asc" }, select: { id: true, responderGrantedAt: true } })),
    "an analyst's calls to setResponderAction grant or withdraw nothing",
  ).toBe(before.responders);
  expect(
    JSON.stringify(
      await Promise.all([
        data.prisma.notificationChannel.findMany({ orderBy: { id: "asc" }, select: { id: true, enabled: true } }),
        data.prisma.notificationRule.findMany({ orderBy: { id: "asc" }, select: { id: true, enabled: true } }),
        data.prisma.notificationSuppression.findMany({ orderBy: { id: "asc" }, select: { id: true, endedAt: true } }),
      ]),
    ),
  ).toBe(before.notifications);
  // SLA policies are the partner's: an analyst's calls to their actions change none (and B's report recipients,
  // part of B's row above, stay as they were).
  expect(JSON.stringify(await data.prisma.slaPolicy.findMany({ orderBy: { id: "asc" } }))).toBe(before.slaPolicies);
});
