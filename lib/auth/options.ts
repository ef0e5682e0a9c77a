import type { NextAuthOptions } from "next-auth";
import type { BaseClient, CallbackParamsType, OpenIDCallbackChecks } from "openid-client";
import { serverConfig, type ServerConfig } from "../config/env.ts";
import { recordSignIn } from "../data/users.ts";
import { CLIENT_ASSERTION_TYPE, clientAssertion } from "./client-assertion.ts";

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
        const assertion = await clientAssertion({ clientId: cfg.clientId, tokenEndpoint, privateKeyPem: credential.privateKeyPem, thumbprintSha256: credential.thumbprintSha256 });
        const tokens = await client.callback(provider.callbackUrl, params, checks, {
          exchangeBody: { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion },
        });
        return { tokens };
      },
    },
  };
}
