import { randomUUID } from "node:crypto";
import { z } from "zod";
import { RESPONDER_APP_ROLE, resolveSignInRole, type PortalRole } from "../auth/viewer.ts";
import { serverConfig } from "../config/env.ts";
import { db, sqlRows } from "../db/client.ts";
import { writeAudit } from "./audit.ts";
import { currentPartner } from "./partner.ts";

/** The id-token claims sign-in relies on. */
export const signInClaims = z.object({
  tid: z.string(),
  oid: z.string().uuid(),
  name: z.string().max(256).optional(),
  preferred_username: z.string().max(256).optional(),
  email: z.string().max(256).optional(),
  roles: z.array(z.string()).optional(),
});

export type SignInDecision =
  { allowed: true; userId: string; role: PortalRole } | { allowed: false; reason: "wrong_tenant" | "no_role" | "disabled" | "bad_claims" };

/**
 * Decides a sign-in from the verified id token. The app registration is multi-tenant (that is how customers
 * consent), so Entra will sign in anyone from any tenant: only the partner's own tenant gets in.
 */
export async function recordSignIn(rawClaims: unknown): Promise<SignInDecision> {
  const parsed = signInClaims.safeParse(rawClaims);
  if (!parsed.success) return { allowed: false, reason: "bad_claims" };
  const claims = parsed.data;
  const cfg = serverConfig();
  const prisma = db();
  if (claims.tid.toLowerCase() !== cfg.partnerTenantId) {
    await prisma.$transaction((tx) =>
      writeAudit(tx, { actor: "anonymous", action: "signin.refused", detail: { reason: "wrong_tenant", tenantId: claims.tid.slice(0, 64) } }),
    );
    return { allowed: false, reason: "wrong_tenant" };
  }
  const partner = await currentPartner();
  const email = (claims.preferred_username ?? claims.email ?? "").toLowerCase();
  return prisma.$transaction(async (tx) => {
    const existing = await tx.portalUser.findUnique({ where: { entraObjectId: claims.oid } });
    // A partner admin disabled this person: Entra may still sign them in, the portal does not.
    if (existing?.disabledAt) {
      await writeAudit(tx, { actor: `user:${existing.id}`, action: "signin.refused", detail: { reason: "disabled" } });
      return { allowed: false, reason: "disabled" } as const;
    }
    const anyAdminExists = (await tx.portalUser.count({ where: { partnerId: partner.id, role: "ADMIN" } })) > 0;
    const decided = resolveSignInRole({
      tokenRoles: claims.roles ?? [],
      existing: existing ? { role: existing.role, roleSource: existing.roleSource } : null,
      email,
      bootstrapAdminEmail: cfg.bootstrapAdminEmail,
      anyAdminExists,
    });
    // The Responder capability as Entra carries it now: a token without Portal.Responder withdraws the Entra-sourced
    // grant (a partner admin's grant in the portal is kept). Portal.Responder alone is no role: it admits nobody.
    const responderFromEntra = (claims.roles ?? []).includes(RESPONDER_APP_ROLE);
    const data = {
      email,
      displayName: claims.name ?? email,
      role: decided.role,
      roleSource: decided.roleSource,
      responderFromEntra,
      lastSignInAt: new Date(),
    };
    const user = existing
      ? await tx.portalUser.update({ where: { id: existing.id }, data })
      : await tx.portalUser.create({ data: { id: randomUUID(), partnerId: partner.id, entraObjectId: claims.oid, ...data } });
    if (existing && existing.responderFromEntra !== responderFromEntra) {
      await writeAudit(tx, {
        actor: `user:${user.id}`,
        action: responderFromEntra ? "user.responder.entra_granted" : "user.responder.entra_withdrawn",
        detail: { userId: user.id, email: user.email, appRole: RESPONDER_APP_ROLE },
      });
    }
    if (!user.role) {
      await writeAudit(tx, { actor: `user:${user.id}`, action: "signin.refused", detail: { reason: "no_role" } });
      return { allowed: false, reason: "no_role" } as const;
    }
    await writeAudit(tx, {
      actor: `user:${user.id}`,
      action: "signin",
      detail: { role: user.role, roleSource: user.roleSource, responderFromEntra },
    });
    return { allowed: true, userId: user.id, role: user.role } as const;
  });
}

/** The current role of a portal user, read on every request so a withdrawn role takes effect at once. */
export async function loadPortalUser(entraObjectId: string) {
  return db().portalUser.findUnique({
    where: { entraObjectId },
    select: { id: true, partnerId: true, displayName: true, email: true, role: true },
  });
}

/** The customers an analyst may see: assigned directly ∪ members of a group assigned to them (every page: plain SQL). */
export async function loadAssignedCustomerIds(userId: string): Promise<string[]> {
  const rows = await sqlRows<{ customerId: string }>(
    `SELECT "customerId"::text AS "customerId" FROM "AnalystAssignment" WHERE "userId" = $1::uuid
     UNION
     SELECT m."customerId"::text FROM "AnalystGroupAssignment" g JOIN "CustomerGroupMember" m ON m."groupId" = g."groupId"
     WHERE g."userId" = $1::uuid`,
    [userId],
  );
  return rows.map((r) => r.customerId);
}
