// Entra's browser session (its ESTSAUTH cookie): after an interactive sign-in, an authorization request with
// prompt=none signs the same account in without a page; with no session Entra answers login_required (AADSTS50058).
// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
import { randomBytes } from "node:crypto";
import type { SimulatorContext } from "../context.ts";
import type { DirectoryUser, Tenant } from "../directory.ts";
import type { SimRequest, SimResult } from "../http.ts";

export const SSO_COOKIE = "ESTSAUTH";
const SSO_TTL_MS = 24 * 60 * 60 * 1000;
const sessions = new WeakMap<SimulatorContext, Map<string, { upn: string; createdAt: number }>>();

function store(ctx: SimulatorContext) {
  let map = sessions.get(ctx);
  if (!map) sessions.set(ctx, (map = new Map()));
  return map;
}

/** Remembers who signed in on this browser; returns the result with Entra's session cookie set. */
export function withSsoSession(ctx: SimulatorContext, upn: string, result: SimResult): SimResult {
  const id = randomBytes(24).toString("base64url");
  store(ctx).set(id, { upn, createdAt: Date.now() });
  const cookie = `${SSO_COOKIE}=${id}; Path=/; HttpOnly; Secure; SameSite=None; Max-Age=${SSO_TTL_MS / 1000}`;
  return { ...result, headers: { ...(result.headers ?? {}), "Set-Cookie": cookie } };
}

/** The account this browser is signed in with at "Entra", if its session is alive and the account still exists. */
export function ssoAccount(ctx: SimulatorContext, req: SimRequest): { tenant: Tenant; user: DirectoryUser } | undefined {
  const header = req.headers.cookie ?? "";
  const id = header
    .split(";")
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${SSO_COOKIE}=`))
    ?.slice(SSO_COOKIE.length + 1);
  const session = id ? store(ctx).get(id) : undefined;
  if (!session || Date.now() - session.createdAt > SSO_TTL_MS) return undefined;
  return ctx.directory.findUser(session.upn);
}
