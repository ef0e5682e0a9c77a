import type { NextAuthOptions } from "next-auth";
import { serverConfig, type ServerConfig } from "../config/env.ts";
import { recordSignIn } from "../data/users.ts";

/**
 * next-auth with Microsoft Entra ID. The app registration is multi-tenant (customers consent to it), but only the
 * partner's staff sign in: the authority is the partner's tenant, so Entra itself refuses other directories'
 * accounts (AADSTS50020), and recordSignIn checks every id token's `tid` again. (openid-client resolves the
 * `{tenantid}` issuer of `organizations` only on login.microsoftonline.com, so a tenant authority is also the
 * one that works against sovereign clouds and the local simulator.)
 */
export function authOptions(cfg: ServerConfig = serverConfig()): NextAuthOptions {
  const secure = cfg.appUrl.startsWith("https://");
  return {
    secret: cfg.authSecret,
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    useSecureCookies: secure,
    pages: { signIn: "/signin", error: "/signin" },
    // next-auth's default logger prints whole error objects; a code and a message are enough and never carry tokens.
    logger: {
      error: (code, meta) => console.error(`[auth] ${code}: ${(meta as { message?: string })?.message ?? ""}`.slice(0, 500)),
      warn: (code) => console.warn(`[auth] ${code}`),
      debug: () => {},
    },
    providers: [
      {
        id: "azure-ad",
        name: "Microsoft Entra ID",
        type: "oauth",
        wellKnown: `${cfg.authorityHost}/${cfg.partnerTenantId}/v2.0/.well-known/openid-configuration`,
        clientId: cfg.clientId,
        ...(cfg.credential.kind === "secret" ? { clientSecret: cfg.credential.secret } : {}),
        authorization: { params: { scope: "openid profile email" } },
        idToken: true,
        checks: ["pkce", "state", "nonce"],
        profile(claims: Record<string, unknown>) {
          return {
            id: String(claims.oid),
            name: typeof claims.name === "string" ? claims.name : null,
            email: typeof claims.preferred_username === "string" ? claims.preferred_username : null,
          };
        },
      },
    ],
    callbacks: {
      async signIn({ profile }) {
        const decision = await recordSignIn(profile);
        if (decision.allowed) return true;
        return `/signin?error=${decision.reason === "wrong_tenant" ? "WrongTenant" : decision.reason === "no_role" ? "NoRole" : "AccessDenied"}`;
      },
      async jwt({ token, profile }) {
        // Only the portal user's oid travels in the session cookie; role and scope are read fresh per request.
        if (profile) token.oid = String((profile as { oid?: string }).oid);
        return token;
      },
      async session({ session, token }) {
        return { ...session, oid: token.oid };
      },
    },
  };
}
