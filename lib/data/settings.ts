import { assertCan, type Viewer } from "../auth/viewer.ts";
import { serverConfig } from "../config/env.ts";
import { UPGRADE_CAPABILITIES } from "../config/capabilities.ts";
import { MICROSOFT_APIS, requiredResources } from "../config/permissions.ts";
import { CROSS_TENANT_PERMISSION } from "../microsoft/tenant-directory.ts";
import { consentCallbackUrl } from "../consent/links.ts";
import { tokenClient } from "../microsoft/clients.ts";
import { TokenAcquisitionError } from "../microsoft/token-client.ts";

/** What a partner admin copies into the Entra app registration. Never the secret or the key, only where they come from. */
export function getAppRegistration(viewer: Viewer) {
  assertCan(viewer, "settings:read");
  const cfg = serverConfig();
  return {
    clientId: cfg.clientId,
    partnerTenantId: cfg.partnerTenantId,
    authorityHost: cfg.authorityHost,
    redirectUris: [consentCallbackUrl(cfg.appUrl), `${cfg.appUrl}/api/auth/callback/azure-ad`],
    permissions: cfg.requiredPermissions,
    // Asked of customers later, one capability at a time, with additional-permissions links.
    capabilities: UPGRADE_CAPABILITIES.map((c) => ({ key: c.key, label: c.label, permissions: c.permissions })),
    // Granted in the partner's own tenant: names the tenant that consented for a customer added by name only.
    partnerTenantPermissions: [
      {
        ...MICROSOFT_APIS.graph,
        permission: CROSS_TENANT_PERMISSION,
        description: "Look up a consenting tenant's name and default domain (findTenantInformationByTenantId) so an admin can confirm it is the customer.",
      },
    ],
    credential:
      cfg.credential.kind === "secret"
        ? { kind: "Client secret", source: cfg.credential.source === "env" ? "ENTRA_CLIENT_SECRET" : "ENTRA_CLIENT_SECRET_FILE" }
        : { kind: "Certificate", source: `ENTRA_CLIENT_CERTIFICATE_KEY_FILE (thumbprint ${cfg.credential.thumbprintSha256})` },
    consentLinkTtlHours: cfg.consentLinkTtlHours,
  };
}

/** Live check: can the app get a token for each API in the partner's own tenant right now? */
export async function checkCredential(viewer: Viewer) {
  assertCan(viewer, "settings:read");
  const cfg = serverConfig();
  const results = [];
  for (const resource of requiredResources(cfg.requiredPermissions)) {
    try {
      const t = await tokenClient().acquire(cfg.partnerTenantId, resource, { fresh: true });
      results.push({ resource, ok: true as const, detail: `Token acquired for the partner tenant (${t.roles.length} app role(s) there).` });
    } catch (err) {
      if (!(err instanceof TokenAcquisitionError)) throw err;
      results.push({ resource, ok: false as const, detail: err.message });
    }
  }
  // The cross-tenant look-up is granted in the partner's own tenant: the Graph token there must carry it.
  try {
    const t = await tokenClient().acquire(cfg.partnerTenantId, MICROSOFT_APIS.graph.resource, { fresh: true });
    const granted = t.roles.includes(CROSS_TENANT_PERMISSION);
    results.push({
      resource: `${MICROSOFT_APIS.graph.resource} (${CROSS_TENANT_PERMISSION})`,
      ok: granted,
      detail: granted
        ? `${CROSS_TENANT_PERMISSION} is granted in the partner tenant: consenting tenants can be named for confirmation.`
        : `${CROSS_TENANT_PERMISSION} is not granted in the partner tenant: customers added by name only will be confirmed by tenant ID alone. Grant it (admin consent) on the app registration.`,
    });
  } catch (err) {
    if (!(err instanceof TokenAcquisitionError)) throw err;
    results.push({ resource: `${MICROSOFT_APIS.graph.resource} (${CROSS_TENANT_PERMISSION})`, ok: false, detail: err.message });
  }
  return { checkedAt: new Date(), results };
}
