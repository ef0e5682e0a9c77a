// Admin consent, in the three forms partners meet:
//   a. GET /{tenant}/v2.0/adminconsent?client_id&scope&redirect_uri&state   (entra-docs v2-admin-consent.md)
//   b. GET /{tenant}/adminconsent?client_id&state&redirect_uri              (entra-docs v2-oauth2-client-creds-grant-flow.md)
//   c. GET /common/oauth2/authorize?prompt=consent&client_id&response_type=code&sso_reload=true
//      (defender-docs exposed-apis-create-app-partners.md; no redirect_uri, no state)
// Flow: account picker -> consent page (admin) or "Need admin approval" (non-admin) -> outcome.
import { z } from "zod";
import {
  entraError,
  entraErrorPage,
  MESSAGES,
  resolveTenantSegment,
  tenantKey,
  type ConsentKind,
  type ConsentParams,
  type Interaction,
  type SimulatorContext,
  type SimulatorModule,
  type TenantRef,
} from "../context.ts";
import { findResource, type DirectoryUser, type Tenant } from "../directory.ts";
import { html, page, postForm } from "../html.ts";
import { htmlResult, redirect, withQuery, type SimRequest, type SimResult } from "../http.ts";
import { renderSignInPage } from "./signin-page.ts";

/** Where the partner docs register the app's reply URL for the legacy link. */
export const LEGACY_REPLY_URL = "https://portal.azure.com";

const OIDC_SCOPES: Record<string, string> = {
  openid: "Sign users in",
  profile: "View users' basic profile",
  email: "View users' email address",
  offline_access: "Maintain access to data you have given it access to",
};

const DELEGATED_GRAPH: Record<string, string> = {
  "User.Read": "Sign in and read user profile",
};

type ConsentInteraction = Interaction & { kind: ConsentKind };

const consentQuery = z.object({
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  state: z.string().max(4096).optional(),
  scope: z.string().optional(),
  prompt: z.string().optional(),
  response_type: z.string().optional(),
});

type ScopeParse = { ok: true; params: Pick<ConsentParams, "roles" | "displayOnly" | "scopes"> } | { ok: false; error: string; code: number; message: string };

/** Parses the v2 `scope`: `{resource}/.default` (all configured permissions of it), `{resource}/{permission}`, OIDC scopes. */
export function parseConsentScope(ctx: SimulatorContext, scope: string): ScopeParse {
  const roles: Record<string, string[]> = {};
  const scopes: Record<string, string[]> = {};
  const displayOnly: ConsentParams["displayOnly"] = [];
  const add = (uri: string, role: string) => {
    const list = (roles[uri] ??= []);
    if (!list.includes(role)) list.push(role);
  };
  for (const item of scope.split(" ").filter(Boolean)) {
    const oidc = OIDC_SCOPES[item.toLowerCase()];
    if (oidc) {
      displayOnly.push({ name: item.toLowerCase(), description: oidc, resource: "Microsoft Graph" });
      continue;
    }
    const slash = item.lastIndexOf("/");
    const resourceId = slash > 0 ? item.slice(0, slash) : "https://graph.microsoft.com";
    const permission = slash > 0 ? item.slice(slash + 1) : item;
    const resource = findResource(resourceId);
    if (!resource) {
      return {
        ok: false,
        error: "invalid_request",
        code: 650057,
        message: `Invalid resource. The client has requested access to a resource which is not listed in the requested permissions in the client's application registration. Client app ID: ${ctx.app.clientId}(${ctx.app.displayName}). Resource value from request: ${resourceId}.`,
      };
    }
    if (permission === ".default") {
      for (const role of ctx.app.requiredPermissions[resource.uri] ?? []) add(resource.uri, role);
      continue;
    }
    const appRole = Object.keys(resource.appRoles).find((r) => r.toLowerCase() === permission.toLowerCase());
    // A name that is both an application and a delegated permission of the API (Machine.Isolate, Machine.Scan, …):
    // the admin consents to both, as Entra's "Grant admin consent" grants every permission the app lists.
    const sameNameScope = Object.keys(resource.delegatedScopes).find((d) => d.toLowerCase() === permission.toLowerCase());
    if (appRole) {
      add(resource.uri, appRole);
      if (sameNameScope && resource.key !== "graph") {
        const list = (scopes[resource.uri] ??= []);
        if (!list.includes(sameNameScope)) list.push(sameNameScope);
      }
      continue;
    }
    const delegated = resource.key === "graph" ? Object.keys(DELEGATED_GRAPH).find((d) => d.toLowerCase() === permission.toLowerCase()) : undefined;
    // Any other delegated permission of the API: granted for all users of the tenant (consentType AllPrincipals).
    const apiScope = delegated ? undefined : Object.keys(resource.delegatedScopes).find((d) => d.toLowerCase() === permission.toLowerCase());
    if (apiScope) {
      const list = (scopes[resource.uri] ??= []);
      if (!list.includes(apiScope)) list.push(apiScope);
      continue;
    }
    if (delegated) {
      displayOnly.push({ name: delegated, description: DELEGATED_GRAPH[delegated]!, resource: resource.displayName });
      continue;
    }
    return {
      ok: false,
      error: "invalid_client",
      code: 650053,
      message: `The application '${ctx.app.displayName}' asked for scope '${permission}' that doesn't exist on the resource '${resource.appId}'. Contact the app vendor.`,
    };
  }
  return { ok: true, params: { roles, displayOnly, scopes } };
}

function consentAction(tx: Interaction): string {
  return `/${encodeURIComponent(tx.tenantSegment)}/consent`;
}

function renderConsentPage(ctx: SimulatorContext, tx: ConsentInteraction, user: DirectoryUser, tenant: Tenant): SimResult {
  const items = [
    ...Object.entries(tx.consent.roles).flatMap(([uri, roles]) => {
      const resource = findResource(uri);
      return roles.map((role) => ({
        name: role,
        description: resource?.appRoles[role as keyof typeof resource.appRoles] ?? role,
        resource: resource?.displayName ?? uri,
      }));
    }),
    ...Object.entries(tx.consent.scopes ?? {}).flatMap(([uri, list]) => {
      const resource = findResource(uri);
      return list.map((scope) => ({
        name: scope,
        description: `${resource?.delegatedScopes[scope as keyof typeof resource.delegatedScopes] ?? scope} (on behalf of signed-in users)`,
        resource: resource?.displayName ?? uri,
      }));
    }),
    ...tx.consent.displayOnly,
  ];
  const list = items.map(
    (p) =>
      html`<li class="perm" data-permission="${p.name}"><strong>${p.description}</strong><span class="muted">${p.name} (${p.resource}) · Admin consent required</span></li>`,
  );
  const body = html`<div class="muted">${user.upn}</div>
<h1>Permissions requested</h1>
<p><strong data-testid="app-name">${ctx.app.displayName}</strong><br><span class="muted" data-testid="publisher">${ctx.app.publisher} · unverified</span></p>
<p>Accept for your organization</p>
<p>This app would like to:</p>
<ul>${list}</ul>
<p class="muted">If you accept, this app will get access to the specified resources for all users in your organization (${tenant.displayName}). No one else will be prompted to review these permissions.</p>
${postForm(consentAction(tx), { tx: tx.id, action: "accept" }, "Accept")}
${postForm(consentAction(tx), { tx: tx.id, action: "cancel" }, "Cancel", { secondary: true })}`;
  return htmlResult(200, page("Permissions requested", body));
}

// Non-admin: Entra shows "Need admin approval" ("<app> needs permission to access resources in your
// organization that only an admin can grant...", AADSTS90094 in entra-docs
// configure-risk-based-step-up-consent.md) with "Have an admin account? Sign in with that account" and
// "Return to the application without granting consent". Microsoft documents no redirect for that
// link; field reports show `error=access_denied&error_subcode=cancel&state=...`. We send that plus an
// AADSTS90094 error_description so the portal has something it can record (a superset).
function renderNeedAdminApproval(ctx: SimulatorContext, tx: ConsentInteraction, user: DirectoryUser): SimResult {
  const body = html`<div class="muted">${user.upn}</div>
<h1>Need admin approval</h1>
<p><strong>${ctx.app.displayName}</strong><br><span class="muted">${ctx.app.publisher} · unverified</span></p>
<p data-testid="aadsts-error">${MESSAGES.adminConsentRequired(ctx.app.displayName)}</p>
${postForm(consentAction(tx), { tx: tx.id, action: "switch" }, "Have an admin account? Sign in with that account", { secondary: true })}
${postForm(consentAction(tx), { tx: tx.id, action: "return" }, "Return to the application without granting consent", { secondary: true })}`;
  return htmlResult(200, page("Need admin approval", body));
}

type Outcome =
  | { type: "granted"; tenant: Tenant }
  | { type: "declined" }
  | { type: "needs-admin" }
  | { type: "wrong-tenant"; user: DirectoryUser; userTenant: Tenant; urlTenant: Tenant };

function outcome(ctx: SimulatorContext, req: SimRequest, tx: ConsentInteraction, result: Outcome): SimResult {
  ctx.interactions.finish(tx.id);
  const c = tx.consent;
  const err = (code: number, message: string) => entraError(ctx, req, code, message);

  if (tx.kind === "legacy-consent") {
    // No redirect_uri in the partner link: Entra would send the browser to the registered reply URL
    // (https://portal.azure.com in the docs). The simulator stops on a page that says so.
    switch (result.type) {
      case "granted":
        return htmlResult(
          200,
          page(
            "Consent granted",
            html`<h1>Consent granted</h1>
<p>${ctx.app.displayName} now has access to <strong data-testid="tenant-name">${result.tenant.displayName}</strong>.</p>
<p>Tenant ID: <code data-testid="tenant-id">${result.tenant.id}</code></p>
<p class="muted">Microsoft would now redirect your browser to the app's registered reply URL, ${c.redirectUri ?? LEGACY_REPLY_URL}. The simulator stops here: give the tenant ID above to your partner.</p>`,
          ),
        );
      case "declined":
        return entraErrorPage(ctx, req, 200, 65004, MESSAGES.userDeclined());
      case "needs-admin":
        return entraErrorPage(ctx, req, 200, 90094, MESSAGES.adminConsentRequired(ctx.app.displayName));
      case "wrong-tenant":
        return entraErrorPage(
          ctx,
          req,
          200,
          50020,
          MESSAGES.userNotInTenant(result.user.upn, result.userTenant.id, result.urlTenant, ctx.app.clientId, ctx.app.displayName),
        );
    }
  }

  const redirectUri = c.redirectUri!;
  const v2 = tx.kind === "adminconsent.v2";
  switch (result.type) {
    case "granted":
      return redirect(
        v2
          ? withQuery(redirectUri, { admin_consent: "True", tenant: result.tenant.id, scope: c.scope, state: c.state })
          : withQuery(redirectUri, { tenant: result.tenant.id, state: c.state, admin_consent: "True" }),
      );
    case "declined": {
      if (!v2) return redirect(withQuery(redirectUri, { error: "permission_denied", error_description: "The admin canceled the request", state: c.state }));
      // A real cancel (MicrosoftDocs/azure-docs#114009): access_denied + AADSTS65004, admin_consent=True, no tenant.
      const e = err(65004, MESSAGES.userDeclined());
      return redirect(
        withQuery(redirectUri, { error: "access_denied", error_description: e.description, error_uri: e.errorUri, admin_consent: "True", state: c.state }),
      );
    }
    case "needs-admin": {
      const e = err(90094, MESSAGES.adminConsentRequired(ctx.app.displayName));
      return redirect(
        withQuery(redirectUri, {
          error: "access_denied",
          error_subcode: "cancel",
          error_description: e.description,
          error_uri: e.errorUri,
          ...(v2 ? { admin_consent: "True" } : {}),
          state: c.state,
        }),
      );
    }
    case "wrong-tenant": {
      const e = err(50020, MESSAGES.userNotInTenant(result.user.upn, result.userTenant.id, result.urlTenant, ctx.app.clientId, ctx.app.displayName));
      return redirect(
        withQuery(redirectUri, {
          error: "access_denied",
          error_description: e.description,
          error_uri: e.errorUri,
          ...(v2 ? { admin_consent: "True" } : {}),
          state: c.state,
        }),
      );
    }
  }
}

/** Called by the account picker once a user is chosen for a consent interaction. */
export function continueConsentAfterSignIn(
  ctx: SimulatorContext,
  req: SimRequest,
  tx: ConsentInteraction,
  found: { tenant: Tenant; user: DirectoryUser },
): SimResult {
  if (tx.urlTenantId && tx.urlTenantId !== found.tenant.id) {
    return outcome(ctx, req, tx, { type: "wrong-tenant", user: found.user, userTenant: found.tenant, urlTenant: ctx.directory.findTenant(tx.urlTenantId)! });
  }
  tx.user = { upn: found.user.upn, tenantId: found.tenant.id };
  return found.user.isAdmin ? renderConsentPage(ctx, tx, found.user, found.tenant) : renderNeedAdminApproval(ctx, tx, found.user);
}

export const consentModule: SimulatorModule = (ctx) => {
  const start =
    (kind: ConsentKind) =>
    (req: SimRequest): SimResult => {
      const ref: TenantRef = resolveTenantSegment(ctx.directory, req.params.tenant ?? "");
      ctx.counters.hit(kind, tenantKey(ref));
      if (ref.kind === "unknown") return entraErrorPage(ctx, req, 400, 90002, MESSAGES.tenantNotFound(ref.segment));
      const q = consentQuery.parse(Object.fromEntries(req.query));

      if (!q.client_id) return entraErrorPage(ctx, req, 400, 900144, MESSAGES.missingParameter("client_id"));
      if (q.client_id.toLowerCase() !== ctx.app.clientId.toLowerCase()) {
        return entraErrorPage(ctx, req, 400, 700016, MESSAGES.appNotFound(q.client_id, ref.kind === "tenant" ? ref.tenant.displayName : ref.kind));
      }
      let redirectUri = q.redirect_uri;
      if (redirectUri !== undefined && !ctx.app.redirectUris.includes(redirectUri)) {
        return entraErrorPage(ctx, req, 400, 50011, MESSAGES.replyUrlMismatch(redirectUri, ctx.app.clientId));
      }
      if (redirectUri === undefined && kind === "adminconsent.v2") return entraErrorPage(ctx, req, 400, 900971, "No reply address provided.");
      // v1 /adminconsent without redirect_uri falls back to the app's first (default) reply URL.
      if (redirectUri === undefined && kind === "adminconsent.v1") {
        redirectUri = ctx.app.redirectUris[0];
        if (!redirectUri) return entraErrorPage(ctx, req, 400, 900971, "No reply address provided.");
      }

      let params: Pick<ConsentParams, "roles" | "displayOnly" | "scopes">;
      if (kind === "adminconsent.v2") {
        const fail = (error: string, code: number, message: string) => {
          const e = entraError(ctx, req, code, message);
          return redirect(withQuery(redirectUri!, { error, error_description: e.description, error_uri: e.errorUri, admin_consent: "True", state: q.state }));
        };
        if (!q.scope || !q.scope.trim()) return fail("invalid_request", 900144, MESSAGES.missingParameter("scope"));
        const parsed = parseConsentScope(ctx, q.scope);
        if (!parsed.ok) return fail(parsed.error, parsed.code, parsed.message);
        params = parsed.params;
      } else {
        // No scope: every permission the app registration declares.
        params = { roles: ctx.directory.allRequiredRoles(), displayOnly: [] };
      }

      const tx = ctx.interactions.create<ConsentInteraction>({
        kind,
        tenantSegment: ref.segment,
        ...(ref.kind === "tenant" ? { urlTenantId: ref.tenant.id } : {}),
        consent: {
          ...params,
          ...(redirectUri !== undefined ? { redirectUri } : {}),
          ...(q.state !== undefined ? { state: q.state } : {}),
          ...(q.scope !== undefined && kind === "adminconsent.v2" ? { scope: q.scope.split(" ").filter(Boolean).join(" ") } : {}),
        },
      });
      return renderSignInPage(ctx, tx);
    };

  const decisionForm = z.object({ tx: z.string().min(1), action: z.enum(["accept", "cancel", "return", "switch"]) });

  return [
    { method: "GET", path: "/:tenant/v2.0/adminconsent", handler: start("adminconsent.v2") },
    { method: "GET", path: "/:tenant/adminconsent", handler: start("adminconsent.v1") },
    { method: "GET", path: "/:tenant/oauth2/authorize", handler: start("legacy-consent") },
    {
      method: "POST",
      path: "/:tenant/consent",
      handler: (req) => {
        const form = decisionForm.safeParse(Object.fromEntries(req.form()));
        if (!form.success) return entraErrorPage(ctx, req, 400, 90014, "A required field is missing from the consent form.");
        const tx = ctx.interactions.get(form.data.tx);
        if (!tx || tx.kind === "authorize" || !tx.user) {
          return entraErrorPage(ctx, req, 400, 50089, "Authentication failed due to flow token expired. Start again from the application.");
        }
        const found = ctx.directory.findUser(tx.user.upn);
        if (!found) return entraErrorPage(ctx, req, 400, 50034, "The user account does not exist in the directory.");
        switch (form.data.action) {
          case "switch":
            delete tx.user;
            return renderSignInPage(ctx, tx);
          case "return":
            return outcome(ctx, req, tx, { type: "needs-admin" });
          case "cancel":
            return outcome(ctx, req, tx, found.user.isAdmin ? { type: "declined" } : { type: "needs-admin" });
          case "accept": {
            if (!found.user.isAdmin) return outcome(ctx, req, tx, { type: "needs-admin" });
            // Consent creates the app's service principal in the tenant holding the requested app roles.
            // Without a Defender licence the roles are still recorded, but the MTP/WDATP resource SPs are
            // absent, so tokens for them fail with AADSTS500011.
            ctx.directory.grantConsent(found.tenant.id, tx.consent.roles, tx.consent.scopes ?? {});
            ctx.log(`admin consent granted in ${found.tenant.displayName} (${found.tenant.id}) via ${tx.kind}`);
            return outcome(ctx, req, tx, { type: "granted", tenant: found.tenant });
          }
        }
      },
    },
  ];
};
