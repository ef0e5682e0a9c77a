import type { PrismaClient } from "../db/client.ts";
import { mergeRoles, qualifiedRole } from "../config/permissions.ts";

/**
 * Every token Entra issues to the worker says what the customer's tenant grants right now (`roles`). Keep the
 * customer's granted roles in step with it, so a permission removed (or added) in the customer's tenant shows on its
 * page within one sync cycle, with the time it went missing.
 */
export async function refreshGrantedRoles(
  prisma: PrismaClient,
  customerId: string,
  resource: string,
  tokenRoles: readonly string[],
  requiredRoles: readonly string[],
): Promise<{ added: string[]; removed: string[] }> {
  const now = new Date();
  return prisma.$transaction(async (tx) => {
    const c = await tx.customer.findUnique({ where: { id: customerId }, select: { grantedRoles: true, permissionsMissingSince: true } });
    if (!c) return { added: [], removed: [] };
    const merged = mergeRoles(
      c.grantedRoles,
      [resource],
      tokenRoles.map((r) => qualifiedRole(resource, r)),
    );
    const added = merged.filter((r) => !c.grantedRoles.includes(r));
    const removed = c.grantedRoles.filter((r) => !merged.includes(r));
    const missing = requiredRoles.filter((r) => !merged.includes(r));
    await tx.customer.update({
      where: { id: customerId },
      data: { grantedRoles: merged, permissionsCheckedAt: now, permissionsMissingSince: missing.length ? (c.permissionsMissingSince ?? now) : null },
    });
    if (added.length || removed.length) {
      await tx.auditEntry.create({
        data: { actor: "system", action: "permissions.changed", customerId, detail: { resource, added, removed, missingRequired: missing } },
      });
    }
    return { added, removed };
  });
}
