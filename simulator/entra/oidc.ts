// Discovery endpoints: OpenID configuration (v2 and v1), instance discovery (MSAL), JWKS,
// the error lookup page and a userinfo endpoint.
import { MESSAGES, resolveTenantSegment, tenantKey, tokenError, type SimulatorContext, type SimulatorModule, type TenantRef } from "../context.ts";
import { html, page } from "../html.ts";
import { htmlResult, json, redirect, type Route, type SimRequest, type SimResult } from "../http.ts";
import { AccessTokenError } from "../tokens.ts";

const CLAIMS_SUPPORTED = [
  "sub",
  "iss",
  "cloud_instance_name",
  "cloud_instance_host_name",
  "cloud_graph_host_name",
  "msgraph_host",
  "aud",
  "exp",
  "iat",
  "auth_time",
  "acr",
  "nonce",
  "preferred_username",
  "name",
  "tid",
  "ver",
  "at_hash",
  "c_hash",
  "email",
];

/** Path segment used inside endpoint URLs: the GUID for a concrete tenant, else organizations/common. */
function endpointSegment(ref: TenantRef & { kind: "tenant" | "organizations" | "common" }): string {
  return ref.kind === "tenant" ? ref.tenant.id : ref.kind;
}

function unknownTenant(ctx: SimulatorContext, req: SimRequest, segment: string): SimResult {
  // Entra answers discovery for an unknown tenant with 400 invalid_tenant / AADSTS90002.
  return tokenError(ctx, req, 400, "invalid_tenant", 90002, MESSAGES.tenantNotFound(segment));
}

export function openIdConfigurationV2(ctx: SimulatorContext, ref: TenantRef & { kind: "tenant" | "organizations" | "common" }): Record<string, unknown> {
  const base = ctx.baseUrl;
  const seg = endpointSegment(ref);
  // For organizations/common Entra publishes the literal template `{tenantid}`; relying parties
  // substitute the token's `tid` (openid-client 5 does so only for login.microsoftonline.com URLs).
  const issuer = ref.kind === "tenant" ? `${base}/${ref.tenant.id}/v2.0` : `${base}/{tenantid}/v2.0`;
  return {
    token_endpoint: `${base}/${seg}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/${seg}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/oidc/userinfo`,
    authorization_endpoint: `${base}/${seg}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${seg}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${seg}/oauth2/v2.0/logout`,
    claims_supported: CLAIMS_SUPPORTED,
    code_challenge_methods_supported: ["plain", "S256"],
    grant_types_supported: ["authorization_code", "client_credentials", "refresh_token"],
    kerberos_endpoint: `${base}/${seg}/kerberos`,
    tenant_region_scope: ref.kind === "tenant" ? "EU" : null,
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}

function openIdConfigurationV1(ctx: SimulatorContext, ref: TenantRef & { kind: "tenant" | "organizations" | "common" }): Record<string, unknown> {
  const base = ctx.baseUrl;
  const seg = endpointSegment(ref);
  return {
    token_endpoint: `${base}/${seg}/oauth2/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/${seg === "organizations" ? "common" : seg}/discovery/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
    scopes_supported: ["openid"],
    issuer: ref.kind === "tenant" ? `https://sts.windows.net/${ref.tenant.id}/` : "https://sts.windows.net/{tenantid}/",
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${base}/${seg}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/${seg}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${seg}/oauth2/logout`,
    claims_supported: CLAIMS_SUPPORTED.filter((c) => c !== "email"),
    check_session_iframe: `${base}/${seg}/oauth2/checksession`,
    userinfo_endpoint: `${base}/${seg}/openid/userinfo`,
    kerberos_endpoint: `${base}/${seg}/kerberos`,
    tenant_region_scope: ref.kind === "tenant" ? "EU" : null,
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}

export const oidcModule: SimulatorModule = (ctx) => {
  const discovery =
    (version: "v1" | "v2") =>
    (req: SimRequest): SimResult => {
      const ref = resolveTenantSegment(ctx.directory, req.params.tenant ?? "");
      ctx.counters.hit("openid-configuration", tenantKey(ref));
      if (ref.kind === "unknown") return unknownTenant(ctx, req, ref.segment);
      return json(200, version === "v2" ? openIdConfigurationV2(ctx, ref) : openIdConfigurationV1(ctx, ref), {
        "Access-Control-Allow-Origin": "*",
      });
    };

  const jwks = (req: SimRequest): SimResult => {
    const ref = resolveTenantSegment(ctx.directory, req.params.tenant ?? "");
    ctx.counters.hit("jwks", tenantKey(ref));
    if (ref.kind === "unknown") return unknownTenant(ctx, req, ref.segment);
    // One signing key for all tenants, as Entra uses common keys across tenants.
    return json(200, ctx.tokens.jwks(), { "Access-Control-Allow-Origin": "*" });
  };

  const routes: Route[] = [
    {
      method: "GET",
      path: "/common/discovery/instance",
      handler: (req) => {
        ctx.counters.hit("instance-discovery", "-");
        // MSAL passes the authorize endpoint of its authority; answer with that tenant's metadata URL.
        let tenant = "common";
        const authz = req.query.get("authorization_endpoint");
        if (authz) {
          try {
            tenant = new URL(authz).pathname.split("/").filter(Boolean)[0] ?? "common";
          } catch {
            /* keep common */
          }
        }
        const host = new URL(ctx.baseUrl).host;
        return json(200, {
          tenant_discovery_endpoint: `${ctx.baseUrl}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`,
          "api-version": "1.1",
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        });
      },
    },
    { method: "GET", path: "/:tenant/v2.0/.well-known/openid-configuration", handler: discovery("v2") },
    { method: "GET", path: "/:tenant/.well-known/openid-configuration", handler: discovery("v1") },
    { method: "GET", path: "/:tenant/discovery/v2.0/keys", handler: jwks },
    { method: "GET", path: "/:tenant/discovery/keys", handler: jwks },
    {
      method: "GET",
      path: "/error",
      handler: (req) => {
        const code = (req.query.get("code") ?? "").replace(/\D/g, "").slice(0, 10);
        return htmlResult(
          200,
          page(
            "Error lookup",
            html`<h1>Error lookup</h1><p>AADSTS${code || "?"}: see the Microsoft Entra error code reference (reference-error-codes.md).</p>`,
          ),
        );
      },
    },
    {
      method: "GET",
      path: "/oidc/userinfo",
      handler: (req) => {
        const auth = req.headers.authorization ?? "";
        const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
        if (!token) return json(401, { error: { code: "InvalidAuthenticationToken", message: "Access token is empty." } });
        try {
          const claims = ctx.verifyAccessToken(token);
          if (claims.idtyp !== "user") throw new AccessTokenError("Not a user token", "audience");
          const raw = claims.raw;
          return json(200, {
            sub: raw.sub,
            name: raw.name,
            email: raw.upn,
            ...(typeof raw.name === "string" ? { given_name: raw.name.split(" ")[0], family_name: raw.name.split(" ").slice(1).join(" ") } : {}),
          });
        } catch {
          return json(401, { error: { code: "InvalidAuthenticationToken", message: "Access token validation failure." } });
        }
      },
    },
    {
      method: "GET",
      path: "/:tenant/oauth2/v2.0/logout",
      handler: (req) => {
        const target = req.query.get("post_logout_redirect_uri");
        // Entra only redirects to a registered URI; anything else stays on its signed-out page.
        if (target && ctx.app.redirectUris.some((u) => new URL(u).origin === safeOrigin(target))) return redirect(target);
        return htmlResult(200, page("Signed out", html`<h1>You signed out of your account</h1><p>It’s a good idea to close all browser windows.</p>`));
      },
    },
  ];
  return routes;
};

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
