import { assertCan, type Viewer } from "../auth/viewer.ts";
import { serverConfig } from "../config/env.ts";
import { requiredResources } from "../config/permissions.ts";
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
  return { checkedAt: new Date(), results };
}
