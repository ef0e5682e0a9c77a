import { serverConfig } from "../config/env.ts";
import { db } from "../db/client.ts";
import { MicrosoftApiClient } from "./api-client.ts";
import { PostgresRateLimiter } from "./shared-limiter.ts";
import { TenantTokenClient } from "./token-client.ts";

const globalForTokens = globalThis as unknown as { portalTokenClient?: TenantTokenClient; portalApiClient?: MicrosoftApiClient };

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

/** The process's API client; its per-tenant budgets live in PostgreSQL, shared with the workers (shared-limiter.ts). */
export function apiClient(): MicrosoftApiClient {
  globalForTokens.portalApiClient ??= new MicrosoftApiClient({
    tokens: tokenClient(),
    baseUrl: serverConfig().apiBaseUrl,
    maxAttempts: 2,
    timeoutMs: 10_000,
    maxResponseBytes: serverConfig().microsoftMaxResponseBytes,
    limiter: new PostgresRateLimiter(db()),
  });
  return globalForTokens.portalApiClient;
}
