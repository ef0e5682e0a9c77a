import "server-only";
import { getToken } from "next-auth/jwt";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { serverConfig } from "../config/env.ts";
import { resolveSession } from "../data/sessions.ts";
import { loadAssignedCustomerIds } from "../data/users.ts";
import type { SessionEndReason } from "./session-policy.ts";
import type { Viewer } from "./viewer.ts";

type ViewerState = { viewer: Viewer } | { viewer: null; reason: SessionEndReason | "unknown" | "none" };

/**
 * Reads the signed cookie (a session id and the user's oid) and asks the session row whether it still counts:
 * ended, idle, expired, disabled or due for a role refresh are no viewer. One read per request (React cache).
 */
const viewerState = cache(async (): Promise<ViewerState> => {
  const cfg = serverConfig();
  // next-auth's own decoder (signature + encryption), without its session route: the row decides, not the cookie.
  const token = await getToken({ req: { cookies: await cookies() } as never, secret: cfg.authSecret, secureCookie: cfg.appUrl.startsWith("https://") });
  if (!token) return { viewer: null, reason: "none" };
  const resolved = await resolveSession(token);
  if (!resolved.ok) return { viewer: null, reason: resolved.reason };
  const user = resolved.user;
  const assigned = user.role === "ADMIN" ? null : await loadAssignedCustomerIds(user.id);
  return {
    viewer: {
      userId: user.id,
      partnerId: user.partnerId,
      name: user.displayName,
      email: user.email,
      role: user.role,
      // Admins see every customer of the partner; analysts only the customers assigned to them.
      customerScope: assigned ?? "all",
      // The Responder capability (Entra app role Portal.Responder or a partner admin's grant): can() adds devices:respond.
      responder: user.responder,
    },
  };
});

/**
 * The one reader of identity. Returns who is signed in with their current role and the customers they may see,
 * or null. Everything else asks this.
 */
export const getViewer = cache(async (): Promise<Viewer | null> => (await viewerState()).viewer);

/** Where a page sends someone whose session is not (or no longer) valid, and what the sign-in page tells them. */
const SIGN_IN_AFTER: Partial<Record<SessionEndReason, string>> = {
  // The role is read again from a fresh id token: /signin starts a silent (prompt=none) sign-in.
  role_refresh: "/signin?refresh=1",
  idle: "/signin?error=SessionIdle",
  expired: "/signin?error=SessionExpired",
  disabled: "/signin?error=Disabled",
  no_role: "/signin?error=NoRole",
  signed_out_everywhere: "/signin?error=SessionEnded",
  ended_by_admin: "/signin?error=SessionEnded",
};

export async function requireViewer(): Promise<Viewer> {
  const state = await viewerState();
  if (state.viewer) return state.viewer;
  redirect((state.reason !== "none" && state.reason !== "unknown" && SIGN_IN_AFTER[state.reason]) || "/signin");
}
