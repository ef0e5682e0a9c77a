import type { PrismaClient } from "../db/client.ts";
import { serverConfig } from "../config/env.ts";
import { tokenCacheKey } from "../config/token-cache.ts";
import { MicrosoftApiClient, type TokenProvider } from "./api-client.ts";
import { DelegatedTokenClient, DelegatedTokenError, type CacheStore } from "./delegated.ts";
import { API_RESOURCE } from "./hosts.ts";

/**
 * The one seam between the portal's writes at Microsoft (triage, bulk triage, device response actions) and the
 * context they run in (issue 13). A customer in "application" write mode gets the app's client (client credentials,
 * Microsoft records the app); in "analyst" mode, the analyst's own delegated token from their persisted MSAL cache
 * (Microsoft records the analyst, limited by their own Defender role). Never a fallback from one to the other: a
 * missing or expired connection is a DelegatedTokenError the caller shows ("reconnect"), and Microsoft's 403 for the
 * analyst stands. Reads and the sync always use the app's client.
 */
export type WriteMode = "application" | "analyst";

export interface WriteClient {
  context: "application" | "delegated";
  api: MicrosoftApiClient;
  /** Who Microsoft records: the analyst's account in the customer tenant (delegated), or null (the app). */
  microsoftActor: string | null;
}

export function parseWriteMode(value: string | null | undefined): WriteMode {
  return value === "analyst" ? "analyst" : "application";
}

/** The associated data that binds a sealed cache to its analyst and customer (a row copied elsewhere does not open). */
export function tokenCacheAad(userId: string, customerId: string): string {
  return `delegated-token-cache:v1:${userId}:${customerId}`;
}

export function delegatedConfig() {
  const cfg = serverConfig();
  return { authorityHost: cfg.authorityHost, clientId: cfg.clientId, credential: cfg.credential };
}

export function requireTokenCacheKey(): Buffer {
  const key = tokenCacheKey();
  if (!key) {
    throw new DelegatedTokenError(
      "no_key",
      "token_cache_key_missing",
      "The portal cannot keep analysts' tokens: TOKEN_CACHE_ENCRYPTION_KEY (or its file) is not set. Ask the operator.",
    );
  }
  return key;
}

/** The analyst's client for a customer tenant, reading and writing its sealed cache row (never creating one). */
export function delegatedClientFor(prisma: PrismaClient, userId: string, customer: { id: string; tenantId: string }): DelegatedTokenClient {
  const store: CacheStore = {
    load: async () =>
      (await prisma.delegatedTokenCache.findUnique({ where: { userId_customerId: { userId, customerId: customer.id } }, select: { ciphertext: true } }))
        ?.ciphertext ?? null,
    // updateMany: a row removed meanwhile (disconnect, disable, sign out everywhere) is not brought back by a refresh.
    save: async (ciphertext) => {
      await prisma.delegatedTokenCache.updateMany({ where: { userId, customerId: customer.id }, data: { ciphertext } });
    },
  };
  return new DelegatedTokenClient(delegatedConfig(), customer.tenantId, requireTokenCacheKey(), tokenCacheAad(userId, customer.id), store);
}

class DelegatedProvider implements TokenProvider {
  constructor(
    private readonly client: DelegatedTokenClient,
    private readonly tenantId: string,
  ) {}
  async acquire(tenantId: string, resource: string, opts: { fresh?: boolean } = {}) {
    if (tenantId.toLowerCase() !== this.tenantId.toLowerCase())
      throw new DelegatedTokenError("other", "wrong_tenant", "A token for another tenant was asked for.");
    const api = resource === API_RESOURCE.xdr ? "xdr" : resource === API_RESOURCE.mde ? "mde" : null;
    if (!api) throw new DelegatedTokenError("other", "unsupported_resource", "This API is not called in user context.");
    return this.client.acquire(api, opts);
  }
}

/** The client a write to `customer` goes through, for this portal user. */
export async function writeClientFor(
  prisma: PrismaClient,
  base: MicrosoftApiClient,
  userId: string,
  customer: { id: string; tenantId: string; writeMode: string },
): Promise<WriteClient> {
  if (parseWriteMode(customer.writeMode) === "application") return { context: "application", api: base, microsoftActor: null };
  const row = await prisma.delegatedTokenCache.findUnique({
    where: { userId_customerId: { userId, customerId: customer.id } },
    select: { username: true },
  });
  if (!row) {
    throw new DelegatedTokenError(
      "not_connected",
      "not_connected",
      "This customer's changes are made as the analyst: connect your account to its tenant first (Connect on the customer's page).",
    );
  }
  const provider = new DelegatedProvider(delegatedClientFor(prisma, userId, customer), customer.tenantId);
  // Same limiter as the app's client: the per-tenant quota is the tenant's, whoever calls.
  return { context: "delegated", api: new MicrosoftApiClient({ ...base.options, tokens: provider }), microsoftActor: row.username };
}

/** Delegated failures in words for the person acting: reconnect, or what the customer's tenant must set up. */
export function delegatedFailureMessage(err: DelegatedTokenError, customerName: string): string {
  switch (err.kind) {
    case "not_connected":
      return `${customerName}'s changes are made as the analyst: connect your account to ${customerName}'s tenant first (customer page → Connect your account). Nothing was changed.`;
    case "not_in_tenant":
      return `Your account is no longer in ${customerName}'s tenant (${err.code}): ${customerName}'s administrator must invite it again. Nothing was changed; the portal did not act as its app instead.`;
    case "consent_missing":
      return `${customerName}'s administrator has withdrawn consent for the delegated permissions (${err.code}). Nothing was changed; the portal did not act as its app instead.`;
    case "no_key":
      return err.message;
    default:
      return `Your connection to ${customerName}'s tenant needs renewing (${err.code}): reconnect on the customer's page (Your connection → Reconnect). Nothing was changed; the portal did not act as its app instead.`;
  }
}

/** Microsoft's 403 for an analyst's own token: their account in the customer's tenant lacks a Defender role. */
export function analystForbiddenMessage(customerName: string, username: string | null, microsoftMessage: string): string {
  return `Your account in ${customerName}${username ? ` (${username})` : ""} lacks the Microsoft Defender role permission for this: ${microsoftMessage} Nothing was changed; ask ${customerName}'s administrator for the role, or a partner admin to switch the customer back to the portal's app.`;
}
