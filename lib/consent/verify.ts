import { qualifiedRole, requiredResources, type RequiredPermission } from "../config/permissions.ts";
import { TokenAcquisitionError, type TenantTokenClient } from "../microsoft/token-client.ts";

export type TenantVerification =
  | { ok: true; grantedRoles: string[] }
  | {
      ok: false;
      /** A token proved the tenant (tid matched) but something is missing, vs. nothing proved at all. */
      tenantProven: boolean;
      code: string;
      reason: string;
      grantedRoles: string[];
      missingRoles: string[];
    };

/**
 * Proves that the partner's app holds the required permissions in `tenantId`, by acquiring a fresh app token per
 * resource. Entra warns the `tenant` of a consent redirect can be forged (v2-admin-consent.md): only a token whose
 * `tid` is that tenant counts, and its `roles` are what was really granted.
 */
export async function verifyTenantConsent(tokens: TenantTokenClient, tenantId: string, required: readonly RequiredPermission[]): Promise<TenantVerification> {
  const granted = new Set<string>();
  let tenantProven = false;
  let firstFailure: { code: string; reason: string } | null = null;
  for (const resource of requiredResources([...required])) {
    try {
      const token = await tokens.acquire(tenantId, resource, { fresh: true });
      if (token.tenantId !== tenantId.toLowerCase()) {
        return {
          ok: false,
          tenantProven: false,
          code: "token_tenant_mismatch",
          reason: `Microsoft issued a token for tenant ${token.tenantId}, not ${tenantId}.`,
          grantedRoles: [],
          missingRoles: required.map((p) => qualifiedRole(p.resource, p.permission)),
        };
      }
      tenantProven = true;
      for (const role of token.roles) granted.add(qualifiedRole(resource, role));
    } catch (err) {
      if (!(err instanceof TokenAcquisitionError)) throw err;
      firstFailure ??= { code: err.code, reason: err.message };
    }
  }
  const requiredRoles = required.map((p) => qualifiedRole(p.resource, p.permission));
  const missingRoles = requiredRoles.filter((r) => !granted.has(r));
  const grantedRoles = [...granted].sort();
  if (missingRoles.length === 0) return { ok: true, grantedRoles };
  const reason = firstFailure
    ? firstFailure.reason
    : `Consent was granted without ${missingRoles.length === 1 ? "this permission" : "these permissions"}: ${missingRoles.map(displayRole).join(", ")}.`;
  return { ok: false, tenantProven, code: firstFailure?.code ?? "permissions_missing", reason, grantedRoles, missingRoles };
}

/** "https://api.security.microsoft.com/Incident.Read.All" → "Incident.Read.All (api.security.microsoft.com)". */
export function displayRole(qualified: string): string {
  const i = qualified.lastIndexOf("/");
  if (i < 0) return qualified;
  return `${qualified.slice(i + 1)} (${qualified.slice(0, i).replace(/^https:\/\//, "")})`;
}
