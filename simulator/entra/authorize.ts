// OIDC sign-in: GET /{tenant}/oauth2/v2.0/authorize (authorization code + PKCE).
import { z } from "zod";
import {
  entraError,
  entraErrorPage,
  MESSAGES,
  resolveTenantSegment,
  tenantKey,
  type AuthorizeParams,
  type Interaction,
  type SimulatorContext,
  type SimulatorModule,
} from "../context.ts";
import type { DirectoryUser, Tenant } from "../directory.ts";
import { html, page } from "../html.ts";
import { htmlResult, redirect, withQuery, type SimRequest, type SimResult } from "../http.ts";
import { missingDelegatedConsent, parseDelegatedScopes } from "./delegated.ts";
import { renderSignInPage } from "./signin-page.ts";
import { ssoAccount, withSsoSession } from "./sso.ts";

const authorizeQuery = z.object({
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  response_type: z.string().optional(),
  response_mode: z.string().optional(),
  scope: z.string().optional(),
  state: z.string().max(4096).optional(),
  nonce: z.string().max(1024).optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
  prompt: z.string().optional(),
});

/** Sends an authorization response (success or error) back to the client per response_mode. */
export function authorizationResponse(params: Pick<AuthorizeParams, "redirectUri" | "responseMode">, values: Record<string, string | undefined>): SimResult {
  const defined = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
  if (params.responseMode === "form_post") {
    const inputs = Object.entries(defined).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
    return htmlResult(
      200,
      page(
        "Working...",
        html`<form method="post" action="${params.redirectUri}" id="f">${inputs}<noscript><button type="submit">Continue</button></noscript></form><script>document.getElementById("f").submit()</script>`,
      ),
    );
  }
  if (params.responseMode === "fragment") {
    return redirect(`${params.redirectUri.split("#")[0]}#${new URLSearchParams(defined).toString()}`);
  }
  return redirect(withQuery(params.redirectUri, defined));
}

/** After the account picker: checks the user may sign in here and redirects with a code. */
export function completeAuthorize(
  ctx: SimulatorContext,
  req: SimRequest,
  interaction: Interaction & { kind: "authorize" },
  found: { tenant: Tenant; user: DirectoryUser },
): SimResult {
  const a = interaction.authorize;
  ctx.interactions.finish(interaction.id);
  let tenantId = found.tenant.id;
  if (interaction.urlTenantId && interaction.urlTenantId !== found.tenant.id) {
    // A B2B guest of the tenant named in the URL signs in there: the code (and the tokens) are that tenant's.
    const urlTenant = ctx.directory.findTenant(interaction.urlTenantId)!;
    if (!ctx.directory.membership(found.user.upn, urlTenant.id)) {
      const e = entraError(ctx, req, 50020, MESSAGES.userNotInTenant(found.user.upn, found.tenant.id, urlTenant, ctx.app.clientId, ctx.app.displayName));
      return authorizationResponse(a, { error: "access_denied", error_description: e.description, error_uri: e.errorUri, state: a.state });
    }
    tenantId = urlTenant.id;
  }
  // Delegated permissions of an API need the tenant admin's consent for all users (the portal's users cannot consent
  // for themselves): missing consent is AADSTS65001 (consent_required, v2-oauth2-auth-code-flow.md error codes).
  const delegated = parseDelegatedScopes(a.scopes);
  if (!delegated.ok) {
    const e = entraError(ctx, req, 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${delegated.scope} is not valid.`);
    return authorizationResponse(a, { error: "invalid_scope", error_description: e.description, error_uri: e.errorUri, state: a.state });
  }
  if (missingDelegatedConsent(ctx, tenantId, delegated.value).length > 0) {
    const e = entraError(ctx, req, 65001, MESSAGES.consentMissing(ctx.app.clientId, ctx.app.displayName));
    return authorizationResponse(a, { error: "consent_required", error_description: e.description, error_uri: e.errorUri, state: a.state });
  }
  const code = ctx.grants.issueCode({
    clientId: a.clientId,
    redirectUri: a.redirectUri,
    tenantId,
    issuedVia: interaction.urlTenantId ? "tenant" : (interaction.tenantSegment as "organizations" | "common"),
    upn: found.user.upn,
    scopes: a.scopes,
    ...(a.nonce !== undefined ? { nonce: a.nonce } : {}),
    ...(a.codeChallenge !== undefined ? { codeChallenge: a.codeChallenge, codeChallengeMethod: a.codeChallengeMethod ?? "plain" } : {}),
  });
  // The browser is now signed in at "Entra": a later prompt=none request for this app is answered silently.
  return withSsoSession(ctx, found.user.upn, authorizationResponse(a, { code, state: a.state, session_state: interaction.id.slice(0, 36) }));
}

export const authorizeModule: SimulatorModule = (ctx) => [
  {
    method: "GET",
    path: "/:tenant/oauth2/v2.0/authorize",
    handler: (req) => {
      const ref = resolveTenantSegment(ctx.directory, req.params.tenant ?? "");
      ctx.counters.hit("authorize", tenantKey(ref));
      if (ref.kind === "unknown") return entraErrorPage(ctx, req, 400, 90002, MESSAGES.tenantNotFound(ref.segment));
      const q = authorizeQuery.parse(Object.fromEntries(req.query));

      // Until client_id and redirect_uri are known good, errors stay on Entra's page (never redirect).
      if (!q.client_id) return entraErrorPage(ctx, req, 400, 900144, MESSAGES.missingParameter("client_id"));
      if (q.client_id.toLowerCase() !== ctx.app.clientId.toLowerCase()) {
        return entraErrorPage(ctx, req, 400, 700016, MESSAGES.appNotFound(q.client_id, ref.kind === "tenant" ? ref.tenant.displayName : ref.kind));
      }
      if (!q.redirect_uri) return entraErrorPage(ctx, req, 400, 900971, "No reply address provided.");
      if (!ctx.app.redirectUris.includes(q.redirect_uri)) {
        return entraErrorPage(ctx, req, 400, 50011, MESSAGES.replyUrlMismatch(q.redirect_uri, ctx.app.clientId));
      }

      const responseMode = q.response_mode === "form_post" || q.response_mode === "fragment" ? q.response_mode : "query";
      const target = { redirectUri: q.redirect_uri, responseMode } as const;
      const fail = (error: string, code: number, message: string): SimResult => {
        const e = entraError(ctx, req, code, message);
        return authorizationResponse(target, { error, error_description: e.description, error_uri: e.errorUri, state: q.state });
      };
      if (q.response_type !== "code") {
        return fail("unsupported_response_type", 700054, `response_type '${q.response_type ?? ""}' is not enabled for the application.`);
      }
      if (!q.scope) return fail("invalid_request", 900144, MESSAGES.missingParameter("scope"));
      if (q.code_challenge_method && !["S256", "plain"].includes(q.code_challenge_method)) {
        return fail("invalid_request", 501491, "Invalid code_challenge_method.");
      }
      if (q.code_challenge && !/^[A-Za-z0-9._~-]{43,128}$/.test(q.code_challenge)) {
        return fail("invalid_request", 501491, "Invalid size of Code_Challenge parameter.");
      }
      // prompt=none: never show a page. Entra answers from its browser session, or login_required (AADSTS50058).
      const silentAccount = q.prompt === "none" ? ssoAccount(ctx, req) : undefined;
      if (q.prompt === "none" && !silentAccount) return fail("login_required", 50058, "A silent sign-in request was sent but no user is signed in.");

      const interaction = ctx.interactions.create<Interaction & { kind: "authorize" }>({
        kind: "authorize",
        tenantSegment: ref.segment,
        ...(ref.kind === "tenant" ? { urlTenantId: ref.tenant.id } : {}),
        authorize: {
          clientId: ctx.app.clientId,
          redirectUri: q.redirect_uri,
          scopes: q.scope.split(" ").filter(Boolean),
          responseMode,
          ...(q.state !== undefined ? { state: q.state } : {}),
          ...(q.nonce !== undefined ? { nonce: q.nonce } : {}),
          ...(q.code_challenge !== undefined
            ? { codeChallenge: q.code_challenge, codeChallengeMethod: q.code_challenge_method === "S256" ? "S256" : "plain" }
            : {}),
        },
      });
      if (silentAccount) return completeAuthorize(ctx, req, interaction, silentAccount);
      return renderSignInPage(ctx, interaction);
    },
  },
];
