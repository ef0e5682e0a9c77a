import type { RequiredPermission } from "../config/permissions.ts";

/** `scope` for the v2 admin-consent endpoint: one `{resource}/{permission}` per required application permission. */
export function consentScope(perms: readonly RequiredPermission[]): string {
  return perms.map((p) => `${p.resource}/${p.permission}`).join(" ");
}

/**
 * The v2 admin-consent URL (entra-docs v2-admin-consent.md). `tenant` is the customer's tenant ID or verified domain
 * when known; otherwise `organizations` (the docs say not to use `common`).
 */
export function adminConsentUrl(input: {
  authorityHost: string;
  tenant: string | null;
  clientId: string;
  redirectUri: string;
  state: string;
  permissions: readonly RequiredPermission[];
}): string {
  const url = new URL(`${input.authorityHost}/${encodeURIComponent(input.tenant ?? "organizations")}/v2.0/adminconsent`);
  url.searchParams.set("client_id", input.clientId);
  url.searchParams.set("scope", consentScope(input.permissions));
  url.searchParams.set("redirect_uri", input.redirectUri);
  url.searchParams.set("state", input.state);
  return url.toString();
}

/**
 * The link Microsoft's partner docs tell customers to click (defender-docs exposed-apis-create-app-partners.md). It
 * carries no state and returns nowhere the portal can see: the partner types in the tenant ID the customer reports.
 */
export function legacyConsentUrl(input: { authorityHost: string; clientId: string }): string {
  const url = new URL(`${input.authorityHost}/common/oauth2/authorize`);
  url.searchParams.set("prompt", "consent");
  url.searchParams.set("client_id", input.clientId);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("sso_reload", "true");
  return url.toString();
}

export function consentCallbackUrl(appUrl: string): string {
  return `${appUrl}/consent/callback`;
}
