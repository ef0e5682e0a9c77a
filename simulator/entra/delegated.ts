// Delegated permissions in an authorization request or token request: which resource each scope belongs to, and whether
// the tenant's admin consented to it for all users (an oauth2PermissionGrant). entra-docs
// permissions-consent-overview.md, v2-oauth2-auth-code-flow.md: one access token is for one resource; a refresh
// token from the same sign-in redeems tokens for the other consented resources.
import type { SimulatorContext } from "../context.ts";
import { findResource, RESOURCES, type ResourceDefinition } from "../directory.ts";

export const OIDC_SCOPE_NAMES = new Set(["openid", "profile", "email", "offline_access"]);

export interface DelegatedScopes {
  oidc: string[];
  /** By canonical resource URI: the resource and its delegated scope names (canonical spelling). `.default` = all granted. */
  byResource: Map<string, { resource: ResourceDefinition; scopes: string[]; all: boolean }>;
}

export type DelegatedParse = { ok: true; value: DelegatedScopes } | { ok: false; scope: string };

/** `{resource}/{scope}`, `{resource}/.default`, a bare Graph scope (`User.Read`), or an OIDC scope. */
export function parseDelegatedScopes(items: readonly string[]): DelegatedParse {
  const value: DelegatedScopes = { oidc: [], byResource: new Map() };
  for (const item of items) {
    if (OIDC_SCOPE_NAMES.has(item.toLowerCase())) {
      value.oidc.push(item.toLowerCase());
      continue;
    }
    const slash = item.lastIndexOf("/");
    const resource: ResourceDefinition | undefined = slash > 0 ? findResource(item.slice(0, slash)) : RESOURCES.graph;
    const name = slash > 0 ? item.slice(slash + 1) : item;
    if (!resource) return { ok: false, scope: item };
    const entry = value.byResource.get(resource.uri) ?? { resource, scopes: [] as string[], all: false };
    if (name === ".default") entry.all = true;
    else {
      const canonical = Object.keys(resource.delegatedScopes).find((s) => s.toLowerCase() === name.toLowerCase());
      if (!canonical) return { ok: false, scope: item };
      if (!entry.scopes.includes(canonical)) entry.scopes.push(canonical);
    }
    value.byResource.set(resource.uri, entry);
  }
  return { ok: true, value };
}

/** Graph's User.Read is what every sign-in asks for; the simulator treats it as always consented. */
function implicitlyConsented(resource: ResourceDefinition, scope: string): boolean {
  return resource.key === "graph" && scope === "User.Read";
}

/** Scopes the tenant's admin has not consented to ("{resource}/{scope}"); empty when everything asked is covered. */
export function missingDelegatedConsent(ctx: SimulatorContext, tenantId: string, scopes: DelegatedScopes): string[] {
  const sp = ctx.directory.servicePrincipal(tenantId);
  const missing: string[] = [];
  for (const [uri, entry] of scopes.byResource) {
    const granted = sp?.grantedScopes[uri] ?? [];
    for (const s of entry.scopes) if (!implicitlyConsented(entry.resource, s) && !granted.includes(s)) missing.push(`${uri}/${s}`);
    if (entry.all && entry.resource.key !== "graph" && granted.length === 0) missing.push(`${uri}/.default`);
  }
  return missing;
}

/** The scopes a token for `entry`'s resource carries: those asked for, or every granted one for `.default`. */
export function grantedFor(ctx: SimulatorContext, tenantId: string, entry: { resource: ResourceDefinition; scopes: string[]; all: boolean }): string[] {
  const granted = ctx.directory.servicePrincipal(tenantId)?.grantedScopes[entry.resource.uri] ?? [];
  return entry.all ? [...new Set([...granted, ...entry.scopes])] : entry.scopes;
}
