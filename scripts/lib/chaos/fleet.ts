import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../../../lib/db/client.ts";
import { uniqueTenantName } from "../../../tests/support/sim-control.ts";
import type { ChaosEnv } from "./env.ts";

/** What a tenant must look like once the scenario has converged. */
export type Expectation = { kind: "complete" } | { kind: "flagged"; status: "REVOKED" | "ERROR"; codes: string[]; reason: RegExp };

export const COMPLETE: Expectation = { kind: "complete" };
/** lib/sync/run.ts describeFailure: Entra's "not consented" codes mark the customer REVOKED. */
export const REVOKED: Expectation = { kind: "flagged", status: "REVOKED", codes: ["AADSTS700016", "AADSTS65001"], reason: /Consent was revoked/ };
/** No Defender licence: Entra's AADSTS500011/650052, or the API's 403 (Graph Forbidden, Defender DisabledFeature). */
export const UNLICENSED: Expectation = {
  kind: "flagged",
  status: "ERROR",
  codes: ["AADSTS500011", "AADSTS650052", "Forbidden", "DisabledFeature"],
  reason: /licen[cs]e|not onboarded|feature isn't enabled/i,
};

export interface TenantSpec {
  label: string;
  /** Incidents the simulator generates for the tenant (default: the simulator's). */
  volume?: number;
  licensed?: boolean;
  expect?: Expectation;
}

export interface FleetTenant {
  label: string;
  customerId: string;
  tenantId: string;
  expect: Expectation;
}

/** Fresh consented customer tenants in the simulator, each with its customer row in the scenario's database. */
export async function createFleet(env: ChaosEnv, prisma: PrismaClient, specs: TenantSpec[]): Promise<FleetTenant[]> {
  const partner = env.sim.directory.partner;
  const partnerId = randomUUID();
  await prisma.partner.create({ data: { id: partnerId, name: partner.displayName, entraTenantId: partner.id } });
  const fleet: FleetTenant[] = [];
  for (const spec of specs) {
    const t = await env.control.createTenant({ ...uniqueTenantName(spec.label), defenderLicence: spec.licensed ?? true });
    await env.control.grantConsent(t.id);
    if (spec.volume !== undefined && (spec.licensed ?? true)) await env.control.setVolume(t.id, spec.volume);
    const customerId = randomUUID();
    await prisma.customer.create({
      data: { id: customerId, partnerId, displayName: t.displayName, region: "eu", tenantId: t.id, status: "CONSENTED", consentedAt: new Date() },
    });
    fleet.push({ label: spec.label, customerId, tenantId: t.id, expect: spec.expect ?? COMPLETE });
  }
  return fleet;
}

/** `n` healthy tenants named `${prefix}1..n`. */
export function healthy(prefix: string, n: number, volume?: number): TenantSpec[] {
  return Array.from({ length: n }, (_, i) => ({ label: `${prefix}${i + 1}`, ...(volume !== undefined ? { volume } : {}) }));
}
