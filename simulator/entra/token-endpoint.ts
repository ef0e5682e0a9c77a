// Token endpoints:
//   POST /{tenant}/oauth2/v2.0/token  client_credentials (scope={resource}/.default), authorization_code, refresh_token
//   POST /{tenant}/oauth2/token       v1 client_credentials (resource=...)
// Errors use the documented body (entra-docs reference-error-codes.md).
import { createHash } from "node:crypto";
import { MESSAGES, resolveTenantSegment, tenantKey, tokenError, type SimulatorContext, type SimulatorModule, type TenantRef } from "../context.ts";
import { findResource, type ResourceDefinition, type Tenant } from "../directory.ts";
import { json, type SimRequest, type SimResult } from "../http.ts";
import { APP_TOKEN_LIFETIME_SECONDS } from "../tokens.ts";
import { AssertionJtiRegistry, authenticateClient, readClientId } from "./client-auth.ts";
import { grantedFor, missingDelegatedConsent, parseDelegatedScopes } from "./delegated.ts";

type Version = "v1" | "v2";

export const tokenEndpointModule: SimulatorModule = (ctx) => {
  const jtis = new AssertionJtiRegistry();

  const handle =
    (version: Version) =>
    (req: SimRequest): SimResult => {
      const ref = resolveTenantSegment(ctx.directory, req.params.tenant ?? "");
      ctx.counters.hit(version === "v2" ? "token.v2" : "token.v1", tenantKey(ref));
      if (ref.kind === "unknown") return tokenError(ctx, req, 400, "invalid_request", 90002, MESSAGES.tenantNotFound(ref.segment));
      const form = req.form();
      const grantType = form.get("grant_type");
      if (!grantType) return tokenError(ctx, req, 400, "invalid_request", 900144, MESSAGES.missingParameter("grant_type"));
      switch (grantType) {
        case "client_credentials":
          return clientCredentials(ctx, req, form, ref, version, jtis);
        case "authorization_code":
        case "refresh_token":
          if (version === "v2") return userGrant(ctx, req, form, ref, grantType, jtis);
          break;
      }
      return tokenError(ctx, req, 400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType}'.`);
    };

  return [
    { method: "POST", path: "/:tenant/oauth2/v2.0/token", handler: handle("v2") },
    { method: "POST", path: "/:tenant/oauth2/token", handler: handle("v1") },
  ];
};

// ---------------------------------------------------------------------------------------------
// client_credentials
// ---------------------------------------------------------------------------------------------

function clientCredentials(
  ctx: SimulatorContext,
  req: SimRequest,
  form: URLSearchParams,
  ref: TenantRef,
  version: Version,
  jtis: AssertionJtiRegistry,
): SimResult {
  if (ref.kind !== "tenant") {
    // App-only tokens need a concrete tenant (AADSTS9001023 for /common; /organizations fails likewise).
    return tokenError(
      ctx,
      req,
      400,
      "invalid_request",
      9001023,
      `The grant type isn't supported over the /${ref.segment} endpoint. Please use a tenant-specific endpoint.`,
    );
  }
  const tenant = ref.tenant;

  // The requested resource, identified up front so requests are counted per resource even when they fail.
  const target = requestedResource(ctx, req, form, version, tenant);
  if (target.resource) ctx.counters.hit(`token:${target.resource.uri}`, tenant.id);

  const client = readClientId(ctx, req, form);
  if (!client.ok) return client.result;
  // The app must have a service principal in the tenant (i.e. admin consent happened there).
  // Status: Microsoft does not document it (MicrosoftDocs/azure-docs#86162 asks); 400 as for other
  // non-authentication errors, with the body field reports show (unauthorized_client, AADSTS700016).
  const sp = ctx.directory.servicePrincipal(tenant.id);
  if (client.clientId.toLowerCase() !== ctx.app.clientId.toLowerCase() || !sp) {
    return tokenError(ctx, req, 400, "unauthorized_client", 700016, MESSAGES.appNotFound(client.clientId, tenant.displayName));
  }
  const auth = authenticateClient(ctx, req, form, ref, client, jtis);
  if (!auth.ok) return auth.result;

  if (target.error) return target.error;
  const { resource, audience } = target as { resource: ResourceDefinition; audience: string };
  if (!ctx.directory.resourcePresent(tenant, resource)) {
    return tokenError(ctx, req, 400, "invalid_resource", 500011, MESSAGES.resourceNotFound(audience, tenant.displayName));
  }

  const issued = ctx.tokens.issueAppToken({
    tenantId: tenant.id,
    audience,
    clientId: ctx.app.clientId,
    appidacr: auth.appidacr,
    servicePrincipalId: sp.objectId,
    roles: sp.grantedRoles[resource.uri] ?? [],
  });
  if (version === "v2") {
    return json(200, { token_type: "Bearer", expires_in: APP_TOKEN_LIFETIME_SECONDS, ext_expires_in: APP_TOKEN_LIFETIME_SECONDS, access_token: issued.token });
  }
  // v1 answers with numbers as strings.
  return json(200, {
    token_type: "Bearer",
    expires_in: String(APP_TOKEN_LIFETIME_SECONDS),
    ext_expires_in: String(APP_TOKEN_LIFETIME_SECONDS),
    expires_on: String(issued.exp),
    not_before: String(issued.nbf),
    resource: audience,
    access_token: issued.token,
  });
}

type ResourceTarget =
  { resource: ResourceDefinition; audience: string; error?: undefined } | { resource?: ResourceDefinition; audience?: string; error: SimResult };

function requestedResource(ctx: SimulatorContext, req: SimRequest, form: URLSearchParams, version: Version, tenant: Tenant): ResourceTarget {
  let identifier: string;
  if (version === "v1") {
    const resource = form.get("resource");
    if (!resource) return { error: tokenError(ctx, req, 400, "invalid_request", 900144, MESSAGES.missingParameter("resource")) };
    identifier = resource.trim();
  } else {
    if (form.get("resource") !== null) {
      return { error: tokenError(ctx, req, 400, "invalid_request", 901002, "The 'resource' request parameter is not supported.") };
    }
    const scope = form.get("scope");
    if (!scope) return { error: tokenError(ctx, req, 400, "invalid_request", 900144, MESSAGES.missingParameter("scope")) };
    const items = scope.split(" ").filter(Boolean);
    const invalid = (detail: string) =>
      tokenError(
        ctx,
        req,
        400,
        "invalid_scope",
        70011,
        `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. ${detail}`,
      );
    // Client credentials take exactly one `{resource}/.default` (one resource per token).
    if (items.length !== 1) {
      const first = items[0]?.endsWith("/.default") ? findResource(items[0].slice(0, -9)) : undefined;
      return {
        ...(first ? { resource: first } : {}),
        error: invalid(`The scope '${scope}' is not valid: client credential flows take exactly one scope, '{resource}/.default'.`),
      };
    }
    const item = items[0]!;
    if (!item.endsWith("/.default")) {
      return {
        error: invalid(
          `The scope ${item} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        ),
      };
    }
    identifier = item.slice(0, -"/.default".length);
  }
  const resource = findResource(identifier);
  if (!resource) {
    // An unknown resource is a resource principal missing from the tenant, as Entra reports it.
    return { error: tokenError(ctx, req, 400, "invalid_resource", 500011, MESSAGES.resourceNotFound(identifier, tenant.displayName)) };
  }
  return { resource, audience: identifier };
}

// ---------------------------------------------------------------------------------------------
// authorization_code and refresh_token (v2)
// ---------------------------------------------------------------------------------------------

function userGrant(
  ctx: SimulatorContext,
  req: SimRequest,
  form: URLSearchParams,
  ref: TenantRef & { kind: "tenant" | "organizations" | "common" },
  grantType: "authorization_code" | "refresh_token",
  jtis: AssertionJtiRegistry,
): SimResult {
  const client = readClientId(ctx, req, form);
  if (!client.ok) return client.result;
  if (client.clientId.toLowerCase() !== ctx.app.clientId.toLowerCase()) {
    return tokenError(
      ctx,
      req,
      400,
      "unauthorized_client",
      700016,
      MESSAGES.appNotFound(client.clientId, ref.kind === "tenant" ? ref.tenant.displayName : ref.kind),
    );
  }
  const auth = authenticateClient(ctx, req, form, ref, client, jtis);
  if (!auth.ok) return auth.result;

  let upn: string;
  let tenantId: string;
  let scopes: string[];
  let nonce: string | undefined;

  if (grantType === "authorization_code") {
    const code = form.get("code");
    if (!code) return tokenError(ctx, req, 400, "invalid_request", 900144, MESSAGES.missingParameter("code"));
    const taken = ctx.grants.takeCode(code);
    if (taken.redeemed) {
      return tokenError(
        ctx,
        req,
        400,
        "invalid_grant",
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
      );
    }
    const record = taken.record;
    if (!record || record.clientId !== ctx.app.clientId) {
      return tokenError(ctx, req, 400, "invalid_grant", 70000, "The provided value for the 'code' parameter is not valid.");
    }
    if (record.expiresAt < Date.now()) {
      return tokenError(
        ctx,
        req,
        400,
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
      );
    }
    const sameTenant = ref.kind === "tenant" ? record.issuedVia === "tenant" && ref.tenant.id === record.tenantId : record.issuedVia === ref.kind;
    if (!sameTenant) {
      return tokenError(ctx, req, 400, "invalid_grant", 700005, "Provided Authorization Code is intended to use against other tenant, thus rejected.");
    }
    if (form.get("redirect_uri") !== record.redirectUri) {
      return tokenError(ctx, req, 400, "invalid_grant", 50011, MESSAGES.replyUrlMismatch(form.get("redirect_uri") ?? "", ctx.app.clientId));
    }
    if (record.codeChallenge !== undefined) {
      const verifier = form.get("code_verifier");
      if (!verifier) return tokenError(ctx, req, 400, "invalid_request", 900144, MESSAGES.missingParameter("code_verifier"));
      const computed = record.codeChallengeMethod === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
      if (computed !== record.codeChallenge) {
        return tokenError(ctx, req, 400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
      }
    }
    upn = record.upn;
    tenantId = record.tenantId;
    scopes = record.scopes;
    nonce = record.nonce;
  } else {
    const token = form.get("refresh_token");
    if (!token) return tokenError(ctx, req, 400, "invalid_request", 900144, MESSAGES.missingParameter("refresh_token"));
    const record = ctx.grants.takeRefreshToken(token);
    if (!record || record.clientId !== ctx.app.clientId || (ref.kind === "tenant" && ref.tenant.id !== record.tenantId)) {
      return tokenError(ctx, req, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid. The refresh token is not valid.");
    }
    upn = record.upn;
    tenantId = record.tenantId;
    scopes = record.scopes;
  }

  const found = ctx.directory.findUser(upn);
  if (!found) return tokenError(ctx, req, 400, "invalid_grant", 50034, "The user account does not exist in the directory.");
  // A guest removed from the tenant since the code or refresh token was issued is no longer in it.
  const member = ctx.directory.membership(upn, tenantId);
  if (!member) {
    const tenant = ctx.directory.findTenant(tenantId)!;
    return tokenError(ctx, req, 400, "invalid_grant", 50020, MESSAGES.userNotInTenant(upn, found.tenant.id, tenant, ctx.app.clientId, ctx.app.displayName));
  }

  // One access token is for one resource (v2-oauth2-auth-code-flow.md): the one the request's `scope` names (MSAL sends
  // the scopes it wants now; a refresh token redeems tokens for every resource the tenant consented to), else the
  // code's. Graph's User.Read alone is the sign-in token the portal's own login gets.
  const requested = (form.get("scope") ?? "").split(" ").filter(Boolean);
  const parsedScopes = parseDelegatedScopes(requested.length > 0 ? requested : scopes);
  if (!parsedScopes.ok) {
    return tokenError(
      ctx,
      req,
      400,
      "invalid_scope",
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope ${parsedScopes.scope} is not valid.`,
    );
  }
  const apiEntries = [...parsedScopes.value.byResource.values()].filter(
    (e) => !(e.resource.key === "graph" && !e.all && e.scopes.every((x) => x === "User.Read")),
  );
  if (apiEntries.length > 1) {
    return tokenError(
      ctx,
      req,
      400,
      "invalid_scope",
      28000,
      `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${requested.join(" ")} is not valid.`,
    );
  }
  if (missingDelegatedConsent(ctx, tenantId, parsedScopes.value).length > 0) {
    return tokenError(ctx, req, 400, "invalid_grant", 65001, MESSAGES.consentMissing(ctx.app.clientId, ctx.app.displayName));
  }
  const apiEntry = apiEntries[0];
  if (apiEntry && !ctx.directory.resourcePresent(member.tenant, apiEntry.resource)) {
    return tokenError(ctx, req, 400, "invalid_resource", 500011, MESSAGES.resourceNotFound(apiEntry.resource.uri, member.tenant.displayName));
  }
  const resourceScopes = apiEntry ? grantedFor(ctx, tenantId, apiEntry) : [];

  const input = {
    tenantId,
    clientId: ctx.app.clientId,
    user: { oid: found.user.oid, upn: found.user.upn, name: found.user.name, appRoles: member.guest ? [] : found.user.appRoles },
    scopes,
    issuer: `${ctx.baseUrl}/${tenantId}/v2.0`,
    appidacr: auth.appidacr,
    oidInTenant: member.oid,
    homeTenantId: member.homeTenant.id,
    ...(apiEntry ? { resource: { audience: apiEntry.resource.uri, scopes: resourceScopes } } : {}),
    ...(nonce !== undefined ? { nonce } : {}),
  };
  const idToken = scopes.includes("openid") ? ctx.tokens.issueIdToken(input) : undefined;
  const accessToken = ctx.tokens.issueUserAccessToken(input);
  const refreshToken = scopes.includes("offline_access") ? ctx.grants.issueRefreshToken({ clientId: ctx.app.clientId, tenantId, upn, scopes }) : undefined;
  const oidc = ["openid", "profile", "email", "offline_access"];
  const grantedScope = apiEntry
    ? [...resourceScopes.map((x) => `${apiEntry.resource.uri}/${x}`), ...scopes.filter((x) => oidc.includes(x))].join(" ")
    : [...new Set(["User.Read", ...scopes.filter((s) => !s.includes("/"))])].map((s) => (oidc.includes(s) ? s : `https://graph.microsoft.com/${s}`)).join(" ");
  // client_info (requested with client_info=1, as MSAL does): the user's home object and tenant, which MSAL keys the
  // account by (a guest's home account is its home tenant's).
  const clientInfo =
    form.get("client_info") === "1" ? Buffer.from(JSON.stringify({ uid: found.user.oid, utid: member.homeTenant.id })).toString("base64url") : undefined;
  return json(200, {
    token_type: "Bearer",
    scope: grantedScope,
    expires_in: APP_TOKEN_LIFETIME_SECONDS,
    ext_expires_in: APP_TOKEN_LIFETIME_SECONDS,
    access_token: accessToken.token,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    ...(idToken ? { id_token: idToken.token } : {}),
    ...(clientInfo ? { client_info: clientInfo } : {}),
  });
}
