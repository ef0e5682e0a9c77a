import { AppError, expectedDigest, isNamedError } from "../errors.ts";

/**
 * Who is signed in and what they may do. Pure: no Next, no database. `lib/auth/session.ts` builds a Viewer from the
 * session; every data-access function takes one and asks `can()`.
 */
export type PortalRole = "ADMIN" | "ANALYST";

export interface Viewer {
  userId: string;
  partnerId: string;
  name: string;
  email: string;
  role: PortalRole;
  /** Customers this viewer may see: every customer of the partner, or the listed ones. */
  customerScope: "all" | readonly string[];
}

/** Roles as data (dub's ROLE_PERMISSIONS): code asks for an action, never for a role. */
export const ROLE_PERMISSIONS = {
  ADMIN: [
    "customers:read",
    "customers:onboard",
    "customers:assign",
    "incidents:read",
    "incidents:triage",
    "devices:respond",
    "sync:refresh",
    "settings:read",
    "audit:read",
    "users:manage",
    "notifications:manage",
    "sla:manage",
    "hunting:run",
  ],
  // devices:respond: isolate, release, scan, collect a package on a device of a customer in scope (lib/data/device-actions.ts).
  // hunting:run: advanced hunting over the viewer's own customers (lib/data/hunting.ts).
  ANALYST: ["customers:read", "incidents:read", "incidents:triage", "devices:respond", "sync:refresh", "hunting:run"],
} as const satisfies Record<PortalRole, readonly string[]>;

export type Action = (typeof ROLE_PERMISSIONS)[PortalRole][number];

/** Entra app roles (the `roles` claim of the id token) that grant a portal role. */
export const APP_ROLE_TO_PORTAL_ROLE: Record<string, PortalRole> = {
  "Portal.Admin": "ADMIN",
  "Portal.Analyst": "ANALYST",
};

/** May this viewer do `action`, to this customer when one is named? */
export function can(viewer: Viewer | null, action: Action, customer?: { id: string; partnerId: string }): boolean {
  if (!viewer) return false;
  if (!(ROLE_PERMISSIONS[viewer.role] as readonly string[]).includes(action)) return false;
  if (!customer) return true;
  if (customer.partnerId !== viewer.partnerId) return false;
  return viewer.customerScope === "all" || viewer.customerScope.includes(customer.id);
}

export class AccessDeniedError extends AppError {
  override name = "AccessDeniedError";
  /** Says "access denied" to app/error.tsx in a production build, where the message is withheld. */
  readonly digest = expectedDigest("access_denied", "access_denied");
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "AccessDeniedError");
  }
  constructor(message = "You do not have access to this.") {
    super(message, "access_denied", 403);
  }
}

export function assertCan(viewer: Viewer | null, action: Action, customer?: { id: string; partnerId: string }): asserts viewer is Viewer {
  if (!can(viewer, action, customer)) throw new AccessDeniedError();
}

/**
 * The portal role for a signing-in user. An Entra app role wins (it is managed where the partner manages people);
 * a role that came from Entra is withdrawn when the token stops carrying it; the first admin may be bootstrapped by
 * e-mail while no admin exists.
 */
export function resolveSignInRole(input: {
  tokenRoles: readonly string[];
  existing: { role: PortalRole | null; roleSource: string | null } | null;
  email: string;
  bootstrapAdminEmail: string | undefined;
  anyAdminExists: boolean;
}): { role: PortalRole | null; roleSource: string | null } {
  const fromToken = input.tokenRoles.map((r) => APP_ROLE_TO_PORTAL_ROLE[r]).filter((r): r is PortalRole => Boolean(r));
  if (fromToken.includes("ADMIN")) return { role: "ADMIN", roleSource: "entra-app-role" };
  if (fromToken.includes("ANALYST")) return { role: "ANALYST", roleSource: "entra-app-role" };
  if (input.bootstrapAdminEmail && input.email.toLowerCase() === input.bootstrapAdminEmail && !input.anyAdminExists) {
    return { role: "ADMIN", roleSource: "bootstrap" };
  }
  if (input.existing && input.existing.roleSource !== "entra-app-role") return input.existing;
  return { role: null, roleSource: null };
}
