import { randomUUID } from "node:crypto";
import { DEFAULT_REQUIRED_PERMISSIONS } from "../../lib/config/permissions.ts";
import { verifyTenantConsent } from "../../lib/consent/verify.ts";
import { createPrismaClient } from "../../lib/db/client.ts";
import { TenantTokenClient } from "../../lib/microsoft/token-client.ts";
import type { SimulatorHandle } from "../../simulator/server.ts";

/**
 * Demo data, written once (when the database has no partner): the simulator's partner, its admin and analyst, and
 * five of the simulator's customers — the pre-consented ones verified with real app tokens, the rest pending.
 */
export async function seedDemo(input: {
  databaseUrl: string;
  simulator: SimulatorHandle;
  clientId: string;
  clientSecret: string;
  log: (line: string) => void;
}): Promise<void> {
  const prisma = createPrismaClient(input.databaseUrl);
  try {
    const dir = input.simulator.directory;
    if ((await prisma.partner.count()) > 0) return;
    const tokens = new TenantTokenClient({
      authorityHost: input.simulator.url,
      clientId: input.clientId,
      credential: { kind: "secret", source: "env", secret: input.clientSecret },
    });
    const partnerId = randomUUID();
    await prisma.partner.create({
      data: { id: partnerId, name: dir.partner.displayName, entraTenantId: dir.partner.id, contactEmail: `soc@${dir.partner.domain}` },
    });
    for (const user of dir.partner.users) {
      const role = user.roles.includes("Portal.Admin") ? "ADMIN" : user.roles.includes("Portal.Analyst") ? "ANALYST" : null;
      if (!role) continue;
      await prisma.portalUser.create({
        data: {
          id: randomUUID(),
          partnerId,
          entraObjectId: user.oid,
          email: user.upn,
          displayName: user.name,
          role,
          roleSource: "entra-app-role",
          // As the next sign-in will read it from the id token (Ari Analyst has Portal.Responder, Sasha does not).
          responderFromEntra: user.roles.includes("Portal.Responder"),
        },
      });
    }
    const regions = ["us", "eu", "uk", "au", "us"] as const;
    const customers = dir.customers.slice(0, 5);
    for (const [i, tenant] of customers.entries()) {
      const id = randomUUID();
      if (tenant.consented) {
        // The first consented customer also granted incident updates and advanced hunting, so the demo shows triage
        // and a hunt with rows; the other is read-only (a hunt says "Hunting not granted" for it, with the way to ask).
        if (i === 0) {
          for (const [resource, roles] of [
            ["https://api.security.microsoft.com", ["Incident.Read.All", "Incident.ReadWrite.All"]],
            ["https://graph.microsoft.com", ["SecurityIncident.Read.All", "SecurityAlert.Read.All", "ThreatHunting.Read.All"]],
          ] as const) {
            await fetch(`${input.simulator.url}/_sim/tenants/${tenant.id}/roles`, {
              method: "PUT",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ resource, roles }),
            });
          }
        }
        const verification = await verifyTenantConsent(tokens, tenant.id, DEFAULT_REQUIRED_PERMISSIONS);
        const now = new Date();
        const ok = verification.ok;
        await prisma.customer.create({
          data: {
            id,
            partnerId,
            displayName: tenant.displayName,
            domain: tenant.domain,
            region: regions[i]!,
            tenantId: tenant.id,
            status: ok ? "CONSENTED" : "ERROR",
            grantedRoles: verification.grantedRoles,
            consentedAt: ok ? now : null,
            consentedVia: ok ? "MANUAL" : null,
            statusReason: ok ? null : verification.reason,
            lastEventAt: now,
          },
        });
        await prisma.consentEvent.create({
          data: {
            id: randomUUID(),
            customerId: id,
            outcome: ok ? "CONSENTED" : "PERMISSIONS_MISSING",
            via: "MANUAL",
            reason: ok ? "Demo data: consent granted in the simulator, verified with an app token." : verification.reason,
            claimedTenantId: tenant.id,
            grantedRoles: verification.grantedRoles,
            missingRoles: ok ? [] : verification.missingRoles,
          },
        });
      } else {
        // Pending customers: one with its domain known, the others with nothing but a name.
        await prisma.customer.create({
          data: { id, partnerId, displayName: tenant.displayName, domain: i === 2 ? tenant.domain : null, region: regions[i]! },
        });
      }
      await prisma.auditEntry.create({ data: { actor: "system", action: "demo.seeded", customerId: id, detail: {} } });
    }
    input.log(`Seeded demo data: ${dir.partner.displayName}, ${customers.length} customers.`);
  } finally {
    await prisma.$disconnect();
  }
}
