import { randomUUID } from "node:crypto";
import { test as base, expect, type Page } from "@playwright/test";
import { SimControl, uniqueTenantName } from "../support/sim-control.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";
import { INCIDENT_ROWS, ROW_SELECT } from "../../components/bulk/row-select.tsx";

/**
 * Fixtures: the simulator's control API, the portal's own data layer (same env as the running portal) to set up
 * state without clicking where the UI is not under test, and a sign-in helper that goes through the real
 * next-auth + simulated Entra flow.
 */
type Fixtures = {
  sim: SimControl;
  data: {
    customers: typeof import("../../lib/data/customers.ts");
    prisma: import("../../lib/db/client.ts").PrismaClient;
    adminViewer(): Promise<Viewer>;
    /** A customer consented in the simulator and verified by the portal, optionally with its data synced. */
    consentedCustomer(
      label: string,
      opts?: { sync?: boolean; defenderLicence?: boolean; roles?: Record<string, string[]> },
    ): Promise<{ id: string; tenantId: string; displayName: string }>;
    /** Makes `customerIds` the only customers assigned to the analyst (who must have signed in once); no group either. */
    assignOnly(analystOid: string, customerIds: string[]): Promise<void>;
    /** Runs both feeds of a customer's sync now, in this process (no worker needed). */
    syncCustomer(customerId: string): Promise<void>;
  };
};

export const test = base.extend<Fixtures>({
  sim: async ({}, use) => {
    await use(new SimControl(process.env.E2E_SIM_URL!));
  },
  data: async ({ sim }, use) => {
    const customers = await import("../../lib/data/customers.ts");
    const prisma = (await import("../../lib/db/client.ts")).db();
    const { currentPartner } = await import("../../lib/data/partner.ts");
    const adminViewer = async (): Promise<Viewer> => {
      const partner = await currentPartner();
      const user = await prisma.portalUser.upsert({
        where: { entraObjectId: "00000000-0000-4000-8000-00000000e2e0" },
        create: {
          id: randomUUID(),
          partnerId: partner.id,
          entraObjectId: "00000000-0000-4000-8000-00000000e2e0",
          email: "fixture@e2e",
          displayName: "Fixture",
          role: "ADMIN",
          roleSource: "portal",
        },
        update: {},
      });
      return { userId: user.id, partnerId: partner.id, name: user.displayName, email: user.email, role: "ADMIN", customerScope: "all" };
    };
    const syncCustomer = async (customerId: string) => {
      const { runFeedSync } = await import("../../lib/sync/run.ts");
      const { TenantTokenClient } = await import("../../lib/microsoft/token-client.ts");
      const { MicrosoftApiClient } = await import("../../lib/microsoft/api-client.ts");
      const { serverConfig } = await import("../../lib/config/env.ts");
      const cfg = serverConfig();
      // A fresh token cache per call, like a worker that has not seen this tenant yet (tests revoke consent).
      const tokens = new TenantTokenClient({ authorityHost: cfg.authorityHost, clientId: cfg.clientId, credential: cfg.credential });
      const { qualifiedRole } = await import("../../lib/config/permissions.ts");
      const requiredRoles = cfg.requiredPermissions.map((p) => qualifiedRole(p.resource, p.permission));
      const deps = {
        prisma,
        tokens,
        api: new MicrosoftApiClient({ tokens, baseUrl: cfg.apiBaseUrl, maxAttempts: 2 }),
        source: cfg.dataSource,
        intervalMinutes: 5,
        requiredRoles,
      };
      for (const feed of ["incidents", "alerts"] as const) await runFeedSync(deps, customerId, feed);
    };
    await use({
      customers,
      prisma,
      syncCustomer,
      async consentedCustomer(label, opts = {}) {
        const t = await sim.createTenant({ ...uniqueTenantName(label), defenderLicence: opts.defenderLicence ?? true });
        await sim.grantConsent(t.id, opts.roles);
        const viewer = await adminViewer();
        const r = await customers.createCustomer(viewer, { displayName: t.displayName, tenantOrDomain: t.id, region: "eu" });
        if (!r.ok) throw new Error(JSON.stringify(r));
        const v = await customers.submitManualTenantId(viewer, r.value.id, { tenantId: t.id });
        if (!v.ok && opts.defenderLicence !== false) throw new Error(JSON.stringify(v));
        if (opts.sync) await syncCustomer(r.value.id);
        return { id: r.value.id, tenantId: t.id, displayName: t.displayName };
      },
      adminViewer,
      async assignOnly(analystOid, customerIds) {
        const user = await prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: analystOid } });
        await prisma.analystAssignment.deleteMany({ where: { userId: user.id } });
        // Group assignments count too (direct ∪ group): "only" means none of them.
        await prisma.analystGroupAssignment.deleteMany({ where: { userId: user.id } });
        await prisma.analystAssignment.createMany({ data: customerIds.map((customerId) => ({ userId: user.id, customerId })) });
      },
    });
  },
});

export { expect, uniqueTenantName };

/**
 * The incident queue's rows, cells and row checkboxes. The queue carries no test id per row or cell (issue #12 §1:
 * 50 rows a page), so cells are found by their column.
 */
export const incidentRows = (page: Page) => page.locator(INCIDENT_ROWS);
export const QUEUE_CELL = { severity: "td:nth-child(2)", customer: "td:nth-child(4)" } as const;
export { ROW_SELECT };

/** Signs in through the portal's "Sign in with Microsoft" and the simulator's account picker. */
export async function signIn(page: Page, upn: string) {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  // The first page after sign-in renders cold on a busy machine: wait for it on the navigation's own clock.
  await page.getByRole("button", { name: `Sign in as ${upn}` }).click({ noWaitAfter: true });
  await page.waitForURL((u) => u.origin === new URL(process.env.E2E_APP_URL!).origin, { timeout: 30_000 });
}

export async function partnerUsers(sim: SimControl) {
  const d = await sim.directory();
  const admin = d.partner.users.find((u) => u.roles.includes("Portal.Admin"))!;
  const analyst = d.partner.users.find((u) => u.roles.includes("Portal.Analyst"))!;
  const noRole = d.partner.users.find((u) => u.roles.length === 0)!;
  return { admin, analyst, noRole, directory: d };
}
