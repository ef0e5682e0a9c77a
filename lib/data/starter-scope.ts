import type { PrismaClient } from "../db/client.ts";

/**
 * The customers a job's starter may act on *now* (a background job runs after the request that made it): every
 * customer of the partner for an admin, the direct ∪ group assignments for an analyst, none for a disabled user or
 * one of another partner. Takes the worker's own client (lib/bulk, lib/hunting run outside the web process).
 */
export async function starterScope(prisma: PrismaClient, userId: string, partnerId: string): Promise<"all" | Set<string>> {
  const user = await prisma.portalUser.findUnique({ where: { id: userId }, select: { role: true, disabledAt: true, partnerId: true } });
  if (!user || user.disabledAt || user.partnerId !== partnerId || !user.role) return new Set();
  if (user.role === "ADMIN") return "all";
  const rows = await prisma.$queryRaw<{ customerId: string }[]>`
    SELECT "customerId"::text AS "customerId" FROM "AnalystAssignment" WHERE "userId" = ${userId}::uuid
    UNION
    SELECT m."customerId"::text FROM "AnalystGroupAssignment" g JOIN "CustomerGroupMember" m ON m."groupId" = g."groupId"
    WHERE g."userId" = ${userId}::uuid`;
  return new Set(rows.map((r) => r.customerId));
}
