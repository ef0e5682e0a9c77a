import { randomUUID } from "node:crypto";
import { test as base, expect, type Page } from "@playwright/test";
import { SimControl, uniqueTenantName } from "../support/sim-control.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";

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
  };
};

export const test = base.extend<Fixtures>({
  sim: async ({}, use) => {
    await use(new SimControl(process.env.E2E_SIM_URL!));
  },
  data: async ({}, use) => {
    const customers = await import("../../lib/data/customers.ts");
    const prisma = (await import("../../lib/db/client.ts")).db();
    const { currentPartner } = await import("../../lib/data/partner.ts");
    await use({
      customers,
      prisma,
      async adminViewer() {
        const partner = await currentPartner();
        const user = await prisma.portalUser.upsert({
          where: { entraObjectId: "00000000-0000-4000-8000-00000000e2e0" },
          create: { id: randomUUID(), partnerId: partner.id, entraObjectId: "00000000-0000-4000-8000-00000000e2e0", email: "fixture@e2e", displayName: "Fixture", role: "ADMIN", roleSource: "portal" },
          update: {},
        });
        return { userId: user.id, partnerId: partner.id, name: user.displayName, email: user.email, role: "ADMIN", customerScope: "all" };
      },
    });
  },
});

export { expect, uniqueTenantName };

/** Signs in through the portal's "Sign in with Microsoft" and the simulator's account picker. */
export async function signIn(page: Page, upn: string) {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: `Sign in as ${upn}` }).click();
}

export async function partnerUsers(sim: SimControl) {
  const d = await sim.directory();
  const admin = d.partner.users.find((u) => u.roles.includes("Portal.Admin"))!;
  const analyst = d.partner.users.find((u) => u.roles.includes("Portal.Analyst"))!;
  const noRole = d.partner.users.find((u) => u.roles.length === 0)!;
  return { admin, analyst, noRole, directory: d };
}
