import type { NextAuthOptions } from "next-auth";
import type { BaseClient, CallbackParamsType, OpenIDCallbackChecks } from "openid-client";
import { serverConfig, type ServerConfig } from "../config/env.ts";
import { endSessionFromToken, resolveSession, startSession } from "../data/sessions.ts";
import { recordSignIn, type SignInDecision } from "../data/users.ts";
import { CLIENT_ASSERTION_TYPE, clientAssertion } from "./client-assertion.ts";
import { summarizeUserAgent } from "./session-policy.ts";

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
    // The cookie is only a signed pointer to a PortalSession row (lib/data/sessions.ts), which decides; it never
    // outlives the row's absolute lifetime.
    session: { strategy: "jwt", maxAge: Math.floor(cfg.sessions.maxAgeMs / 1000) },
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
        ...signInCredential(cfg),
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
        return `/signin?error=${SIGN_IN_ERRORS[decision.reason]}`;
      },
      async jwt({ token, profile }) {
        if (profile) {
          // Sign-in: open a server-side session. Only its id and the user's oid travel in the cookie; the role and
          // scope are read from the database on every request.
          const oid = String((profile as { oid?: string }).oid).toLowerCase();
          token.oid = oid;
          token.sid = await startSession({ entraObjectId: oid, userAgent: await requestUserAgent() });
          return token;
        }
        // Every other read (getServerSession, GET /api/auth/session): next-auth would re-sign the cookie and slide
        // it forever, so the row decides. Throwing makes next-auth answer "no session" and clear the cookie.
        const resolved = await resolveSession(token, { touch: false });
        if (!resolved.ok) throw new Error(`session ended (${resolved.reason})`);
        return token;
      },
      async session({ session, token }) {
        return { expires: session.expires, user: session.user, oid: token.oid };
      },
    },
    events: {
      // Sign-out ends the session on the server: a copy of the cookie stops working at once.
      async signOut({ token }) {
        await endSessionFromToken(token);
      },
    },
  };
}

const SIGN_IN_ERRORS: Record<Extract<SignInDecision, { allowed: false }>["reason"], string> = {
  wrong_tenant: "WrongTenant",
  no_role: "NoRole",
  disabled: "Disabled",
  bad_claims: "AccessDenied",
};

/** The sign-in request's browser, summarised ("Chrome on Linux"); null outside a request (tests). */
async function requestUserAgent(): Promise<string | null> {
  try {
    const { headers } = await import("next/headers");
    return summarizeUserAgent((await headers()).get("user-agent"));
  } catch {
    return null;
  }
}

type TokenRequest = {
  provider: { callbackUrl: string };
  params: CallbackParamsType;
  checks: OpenIDCallbackChecks;
  client: BaseClient;
};

/**
 * How the portal proves itself at the code redemption: the client secret, or with a certificate a client assertion
 * that openid-client cannot build the way Entra wants (it names the key by `kid`; Entra wants `x5t#S256`), so the
 * exchange carries ours. openid-client still checks state, PKCE, nonce and the id token's signature and claims.
 */
function signInCredential(cfg: ServerConfig) {
  const credential = cfg.credential;
  if (credential.kind === "secret") return { clientSecret: credential.secret };
  return {
    client: { token_endpoint_auth_method: "none" as const },
    token: {
      async request({ provider, params, checks, client }: TokenRequest) {
        const tokenEndpoint = String(client.issuer.metadata.token_endpoint);
        const assertion = await clientAssertion({
          clientId: cfg.clientId,
          tokenEndpoint,
          privateKeyPem: credential.privateKeyPem,
          thumbprintSha256: credential.thumbprintSha256,
        });
        const tokens = await client.callback(provider.callbackUrl, params, checks, {
          exchangeBody: { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion },
        });
        return { tokens };
      },
    },
  };
}
