import { z } from "zod";
import { MicrosoftApiError, type MicrosoftApiClient } from "./api-client.ts";

/**
 * Who is a tenant? Two look-ups that bind a customer to the right tenant:
 * - a verified domain → its tenant ID, through OpenID discovery, which needs no permission: the v2 metadata's
 *   `issuer` is `https://login.microsoftonline.com/{tenantId}/v2.0`; an unknown domain answers 400 with AADSTS90002
 *   (entra-docs `docs/identity-platform/v2-protocols-oidc.md`, "Find your app's OpenID configuration document URI").
 * - a tenant ID → its display name and default domain, through Graph
 *   `GET /v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{id}')`, application permission
 *   `CrossTenantInformation.ReadBasic.All` granted in the partner's own tenant
 *   (graph-docs `api-reference/v1.0/api/tenantrelationship-findtenantinformationbytenantid.md`).
 */

export const CROSS_TENANT_PERMISSION = "CrossTenantInformation.ReadBasic.All";

const GUID_IN_ISSUER = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/v2\.0\/?$/i;
const discoverySchema = z.object({ issuer: z.string().max(500) });

export type DomainResolution = { ok: true; tenantId: string } | { ok: false; code: "AADSTS90002" | "unreachable" | "malformed"; reason: string };

/** Resolves a verified domain (or a tenant ID) to the tenant ID Entra names in its metadata. */
export async function resolveTenantByDomain(authorityHost: string, domain: string, opts: { timeoutMs?: number } = {}): Promise<DomainResolution> {
  const url = `${authorityHost.replace(/\/$/, "")}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000), redirect: "error" });
  } catch {
    return { ok: false, code: "unreachable", reason: `Microsoft's sign-in service could not be reached to look up ${domain}.` };
  }
  const text = (await res.text()).slice(0, 64 * 1024);
  if (res.status === 400 && /AADSTS90002/.test(text)) {
    return { ok: false, code: "AADSTS90002", reason: `Microsoft knows no tenant for ${domain} (AADSTS90002). Check the domain, or enter the tenant ID.` };
  }
  if (!res.ok) return { ok: false, code: "unreachable", reason: `Microsoft answered HTTP ${res.status} when looking up ${domain}.` };
  let issuer: string;
  try {
    issuer = discoverySchema.parse(JSON.parse(text)).issuer;
  } catch {
    return { ok: false, code: "malformed", reason: `Microsoft's metadata for ${domain} could not be read.` };
  }
  const tenantId = GUID_IN_ISSUER.exec(issuer)?.[1];
  if (!tenantId) return { ok: false, code: "malformed", reason: `Microsoft's metadata for ${domain} names no tenant.` };
  return { ok: true, tenantId: tenantId.toLowerCase() };
}

const tenantInformationSchema = z.object({
  tenantId: z.string(),
  displayName: z.string().nullish(),
  defaultDomainName: z.string().nullish(),
  federationBrandName: z.string().nullish(),
});

export type TenantInformation =
  { ok: true; tenantId: string; displayName: string | null; defaultDomainName: string | null } | { ok: false; code: string; reason: string };

/** Looks a tenant up in Graph with the partner app's token in the partner's own tenant. */
export async function findTenantInformation(api: MicrosoftApiClient, partnerTenantId: string, tenantId: string): Promise<TenantInformation> {
  const path = `/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='${encodeURIComponent(tenantId)}')`;
  try {
    const body = tenantInformationSchema.parse(await api.getJson("graph", { tenantId: partnerTenantId, region: null }, path));
    if (body.tenantId.toLowerCase() !== tenantId.toLowerCase()) return { ok: false, code: "tenant_mismatch", reason: "Graph answered for another tenant." };
    // Tenant text is hostile like any other: bounded here, rendered as text everywhere.
    return {
      ok: true,
      tenantId: tenantId.toLowerCase(),
      displayName: body.displayName?.slice(0, 256) ?? null,
      defaultDomainName: body.defaultDomainName?.slice(0, 253) ?? null,
    };
  } catch (err) {
    if (err instanceof MicrosoftApiError) {
      const reason =
        err.kind === "forbidden"
          ? `The partner app lacks ${CROSS_TENANT_PERMISSION} in the partner's own tenant (grant it on the app registration).`
          : `Microsoft could not look the tenant up: ${err.message}`;
      return { ok: false, code: err.code, reason };
    }
    if (err instanceof z.ZodError) return { ok: false, code: "malformed", reason: "Microsoft's tenant information could not be read." };
    throw err;
  }
}
