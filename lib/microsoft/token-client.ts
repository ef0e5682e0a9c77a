import { ConfidentialClientApplication, type Configuration } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { z } from "zod";
import type { ClientCredential } from "../config/env.ts";
import { AppError, isNamedError } from "../errors.ts";
import { GUID_RE } from "../shared/ids.ts";
import { recordTokenRequest } from "../ops/metrics.ts";

/**
 * Tenant-scoped app tokens (client credentials). One ConfidentialClientApplication per app credential serves every
 * tenant through a per-call authority with the tenant GUID, so MSAL's cache keys each token by tenant and resource
 * and reuses it until five minutes before expiry. Tokens stay in this process: never logged, stored or sent on.
 */
export interface TokenClientConfig {
  authorityHost: string;
  clientId: string;
  credential: ClientCredential;
}

/** The claims the portal checks, from a token it just received over TLS from the token endpoint. */
const accessTokenClaims = z.object({
  tid: z.string(),
  aud: z.string(),
  roles: z.array(z.string()).optional(),
  appid: z.string().optional(),
  azp: z.string().optional(),
  exp: z.number(),
  iat: z.number().optional(),
});

export interface TenantToken {
  accessToken: string;
  expiresOn: Date | null;
  fromCache: boolean;
  tenantId: string;
  roles: string[];
  audience: string;
  /** When Entra issued it (`iat`): a cached token older than the caller allows is replaced. */
  issuedAt: Date | null;
}

export type TokenFailureKind = "not_consented" | "bad_credential" | "tenant_not_found" | "no_licence" | "throttled" | "unreachable" | "other";

export class TokenAcquisitionError extends AppError {
  override name = "TokenAcquisitionError";
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "TokenAcquisitionError");
  }
  constructor(
    readonly kind: TokenFailureKind,
    /** e.g. "AADSTS700016", or the MSAL error code when Entra sent none. */
    code: string,
    message: string,
  ) {
    super(message, code, 502);
  }
}

const AADSTS_KINDS: Record<string, TokenFailureKind> = {
  "700016": "not_consented",
  "65001": "not_consented",
  "7000215": "bad_credential",
  "7000222": "bad_credential",
  "700027": "bad_credential",
  "700011": "bad_credential",
  "90002": "tenant_not_found",
  "500011": "no_licence",
  "650052": "no_licence",
  "90055": "throttled",
};

const PLAIN_WORDS: Record<TokenFailureKind, string> = {
  not_consented: "The app is not consented in this tenant (consent was never granted or has been revoked)",
  bad_credential: "The partner app's credential was refused (expired or wrong secret or certificate)",
  tenant_not_found: "No Microsoft tenant exists with this ID",
  no_licence: "The tenant has no Microsoft Defender service for this API (no licence)",
  throttled: "Microsoft is throttling token requests for this tenant",
  unreachable: "Microsoft's sign-in service could not be reached",
  other: "Microsoft refused the token request",
};

export function describeTokenFailure(kind: TokenFailureKind, code: string): string {
  return `${PLAIN_WORDS[kind]} (${code}).`;
}

function toTokenError(err: unknown): TokenAcquisitionError {
  const e = err as { errorCode?: string; errorNo?: string; errorMessage?: string; message?: string };
  const fromMessage = /AADSTS(\d+)/.exec(e.errorMessage ?? e.message ?? "")?.[1];
  const number = e.errorNo ?? fromMessage;
  if (number) {
    const kind = AADSTS_KINDS[number] ?? "other";
    return new TokenAcquisitionError(kind, `AADSTS${number}`, describeTokenFailure(kind, `AADSTS${number}`));
  }
  const code = e.errorCode ?? "unknown_error";
  const kind: TokenFailureKind = /network|endpoints_resolution|fetch|ECONN|timed?_?out/i.test(`${code} ${e.message ?? ""}`) ? "unreachable" : "other";
  return new TokenAcquisitionError(kind, code, describeTokenFailure(kind, code));
}

export class TenantTokenClient {
  private readonly app: ConfidentialClientApplication;
  private readonly authorityHost: string;
  private readonly inFlight = new Map<string, Promise<TenantToken>>();

  constructor(config: TokenClientConfig) {
    this.authorityHost = config.authorityHost.replace(/\/$/, "");
    const host = new URL(this.authorityHost).host;
    const auth: Configuration["auth"] = {
      clientId: config.clientId,
      authority: `${this.authorityHost}/organizations`,
      // Microsoft's own cloud is known to MSAL; any other host (the local simulator, a sovereign cloud) is listed.
      knownAuthorities: host === "login.microsoftonline.com" ? [] : [host],
    };
    if (config.credential.kind === "secret") auth.clientSecret = config.credential.secret;
    else auth.clientCertificate = { thumbprintSha256: config.credential.thumbprintSha256, privateKey: config.credential.privateKeyPem };
    this.app = new ConfidentialClientApplication({ auth, system: { loggerOptions: { piiLoggingEnabled: false, logLevel: 0, loggerCallback: () => {} } } });
  }

  /**
   * A token for `resource` in `tenantId`. `fresh` skips the cache: consent verification must see what Entra says
   * now, not what it said an hour ago.
   */
  async acquire(tenantId: string, resource: string, opts: { fresh?: boolean; maxAgeMs?: number } = {}): Promise<TenantToken> {
    const token = await this.acquireShared(tenantId, resource, opts.fresh === true);
    // `roles` in a token is what was granted when it was issued: a caller that must see permission changes within a
    // bounded time (the sync: one cycle) asks for a token no older than that.
    if (opts.maxAgeMs !== undefined && token.fromCache && token.issuedAt && Date.now() - token.issuedAt.getTime() > opts.maxAgeMs) {
      return this.acquireShared(tenantId, resource, true, "renew");
    }
    return token;
  }

  private async acquireShared(tenantId: string, resource: string, fresh: boolean, flight = "cache"): Promise<TenantToken> {
    // The cache is keyed by the tenant in the authority: a domain and a GUID would be two entries (and a domain can
    // be re-pointed), so only GUIDs are accepted.
    if (!GUID_RE.test(tenantId)) throw new TokenAcquisitionError("tenant_not_found", "invalid_tenant_id", "A tenant ID must be a GUID.");
    if (fresh && flight === "cache") return this.request(tenantId, resource, true);
    // MSAL's cache only helps once a token is in it: concurrent first calls for one tenant and resource (the incidents
    // and alerts feeds starting together) share one request instead of each asking Entra; so do concurrent renewals.
    const key = `${tenantId.toLowerCase()}|${resource}|${flight}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.request(tenantId, resource, fresh).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async request(tenantId: string, resource: string, fresh: boolean): Promise<TenantToken> {
    let result;
    try {
      result = await this.app.acquireTokenByClientCredential({
        scopes: [`${resource.replace(/\/$/, "")}/.default`],
        authority: `${this.authorityHost}/${tenantId.toLowerCase()}`,
        skipCache: fresh,
      });
    } catch (err) {
      const failure = toTokenError(err);
      recordTokenRequest(failure.kind);
      throw failure;
    }
    recordTokenRequest(result?.accessToken ? (result.fromCache ? "cached" : "issued") : "other");
    if (!result?.accessToken) throw new TokenAcquisitionError("other", "no_token", "Microsoft answered without a token.");
    const claims = accessTokenClaims.safeParse(decodeJwt(result.accessToken));
    if (!claims.success) throw new TokenAcquisitionError("other", "malformed_token", "Microsoft's token lacks the tenant or audience claims.");
    return {
      accessToken: result.accessToken,
      expiresOn: result.expiresOn ?? null,
      fromCache: result.fromCache,
      tenantId: claims.data.tid.toLowerCase(),
      roles: claims.data.roles ?? [],
      audience: claims.data.aud,
      issuedAt: claims.data.iat ? new Date(claims.data.iat * 1000) : null,
    };
  }
}
