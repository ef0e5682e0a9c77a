import "server-only";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { cache } from "react";
import { loadAssignedCustomerIds, loadPortalUser } from "../data/users.ts";
import { authOptions } from "./options.ts";
import type { Viewer } from "./viewer.ts";

/**
 * The one reader of identity. Returns who is signed in with their current role and the customers they may see,
 * or null. Everything else asks this.
 */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const session = (await getServerSession(authOptions())) as { oid?: string } | null;
  if (!session?.oid) return null;
  const user = await loadPortalUser(session.oid);
  if (!user?.role) return null;
  const assigned = user.role === "ADMIN" ? null : await loadAssignedCustomerIds(user.id);
  return {
    userId: user.id,
    partnerId: user.partnerId,
    name: user.displayName,
    email: user.email,
    role: user.role,
    // Admins see every customer of the partner; analysts only the customers assigned to them.
    customerScope: assigned ?? "all",
  };
});

export async function requireViewer(): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin");
  return viewer;
}
