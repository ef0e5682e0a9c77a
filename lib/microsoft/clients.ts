import { serverConfig } from "../config/env.ts";
import { TenantTokenClient } from "./token-client.ts";

const globalForTokens = globalThis as unknown as { portalTokenClient?: TenantTokenClient };

/** The process's one token client for the configured app credential (one MSAL cache per process). */
export function tokenClient(): TenantTokenClient {
  if (!globalForTokens.portalTokenClient) {
    const cfg = serverConfig();
    globalForTokens.portalTokenClient = new TenantTokenClient({
      authorityHost: cfg.authorityHost,
      clientId: cfg.clientId,
      credential: cfg.credential,
    });
  }
  return globalForTokens.portalTokenClient;
}
