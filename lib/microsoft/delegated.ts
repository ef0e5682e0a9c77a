import { ConfidentialClientApplication, CryptoProvider, type Configuration, type ICachePlugin, type TokenCacheContext } from "@azure/msal-node";
import { decodeJwt } from "jose";
import type { ClientCredential } from "../config/env.ts";
import { openValue, sealValue } from "../crypto/sealed.ts";
import { AppError, isNamedError } from "../errors.ts";
import { GUID_RE } from "../shared/ids.ts";
import { API_RESOURCE } from "./hosts.ts";
import type { TenantToken } from "./token-client.ts";

/**
 * User context (issue 13): an analyst's own delegated token for a customer tenant, through MSAL's authorization-code
 * flow with PKCE at the customer's authority (entra-docs v2-oauth2-auth-code-flow.md) and acquireTokenSilent afterwards
 * (msal-node docs: token caching, ICachePlugin). One MSAL cache per analyst and customer tenant, persisted by the
 * plugin below as AES-256-GCM ciphertext: tokens never reach the browser or a log, and a request never sees another
 * analyst's cache (each request builds its own client around its own row).
 */

/** The delegated permissions the portal's writes need, per API (api-update-incidents.md, isolate-machine.md, …). */
export const DELEGATED_SCOPES: Record<"xdr" | "mde", readonly string[]> = {
  xdr: [`${API_RESOURCE.xdr}/Incident.ReadWrite`],
  mde: [
    `${API_RESOURCE.mde}/Machine.Read`,
    `${API_RESOURCE.mde}/Machine.Isolate`,
    `${API_RESOURCE.mde}/Machine.Scan`,
    `${API_RESOURCE.mde}/Machine.CollectForensics`,
  ],
};
/** Asked for at sign-in: every API's scopes, so one consent screen covers them (the refresh token serves each API). */
export const CONNECT_SCOPES: readonly string[] = [...DELEGATED_SCOPES.xdr, ...DELEGATED_SCOPES.mde];

export interface DelegatedConfig {
  authorityHost: string;
  clientId: string;
  credential: ClientCredential;
}

/** Where an analyst's cache lives (its ciphertext): read and written through this. */
export interface CacheStore {
  load(): Promise<string | null>;
  save(ciphertext: string): Promise<void>;
}

export type DelegatedFailureKind = "not_connected" | "reconnect" | "not_in_tenant" | "consent_missing" | "no_key" | "other";

export class DelegatedTokenError extends AppError {
  override name = "DelegatedTokenError";
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "DelegatedTokenError");
  }
  constructor(
    readonly kind: DelegatedFailureKind,
    code: string,
    message: string,
  ) {
    super(message, code, 409);
  }
}

function aadstsOf(err: unknown): string | null {
  const e = err as { errorNo?: string | number; errorMessage?: string; message?: string };
  const n = e.errorNo ?? /AADSTS(\d+)/.exec(e.errorMessage ?? e.message ?? "")?.[1];
  return n ? `AADSTS${n}` : null;
}

/** Entra's answer to a delegated token request, as a kind the page can explain. */
export function classifyDelegatedError(err: unknown): DelegatedTokenError {
  const code = aadstsOf(err);
  if (code === "AADSTS50020" || code === "AADSTS500341")
    return new DelegatedTokenError("not_in_tenant", code, "Your account is no longer a member or guest of this customer's tenant.");
  if (code === "AADSTS65001")
    return new DelegatedTokenError("consent_missing", code, "The customer's administrator has not consented to the delegated permissions.");
  const e = err as { errorCode?: string; name?: string };
  if (e.name === "InteractionRequiredAuthError" || /interaction_required|invalid_grant|no_tokens_found|no_account/i.test(`${e.errorCode ?? ""}`) || code) {
    return new DelegatedTokenError(
      "reconnect",
      code ?? e.errorCode ?? "interaction_required",
      "Your connection to this customer's tenant has expired or was revoked.",
    );
  }
  return new DelegatedTokenError("other", e.errorCode ?? "unknown_error", "Microsoft's sign-in service could not renew your token.");
}

/** MSAL's cache plugin around one sealed row: the associated data binds the ciphertext to its analyst and customer. */
export function sealedCachePlugin(key: Buffer, aad: string, store: CacheStore): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      const sealed = await store.load();
      if (!sealed) return;
      const plain = openValue(key, sealed, aad);
      // A cache that no longer opens (the key changed) is treated as none: the analyst connects again.
      if (plain !== null) context.tokenCache.deserialize(plain);
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (!context.cacheHasChanged) return;
      await store.save(sealValue(key, context.tokenCache.serialize(), aad));
    },
  };
}

export class DelegatedTokenClient {
  private readonly app: ConfidentialClientApplication;
  private readonly authorityHost: string;

  constructor(
    config: DelegatedConfig,
    private readonly tenantId: string,
    key: Buffer,
    aad: string,
    store: CacheStore,
  ) {
    if (!GUID_RE.test(tenantId)) throw new DelegatedTokenError("other", "invalid_tenant_id", "A tenant ID must be a GUID.");
    this.authorityHost = config.authorityHost.replace(/\/$/, "");
    const host = new URL(this.authorityHost).host;
    const auth: Configuration["auth"] = {
      clientId: config.clientId,
      authority: `${this.authorityHost}/${tenantId.toLowerCase()}`,
      knownAuthorities: host === "login.microsoftonline.com" ? [] : [host],
    };
    if (config.credential.kind === "secret") auth.clientSecret = config.credential.secret;
    else auth.clientCertificate = { thumbprintSha256: config.credential.thumbprintSha256, privateKey: config.credential.privateKeyPem };
    this.app = new ConfidentialClientApplication({
      auth,
      cache: { cachePlugin: sealedCachePlugin(key, aad, store) },
      system: { loggerOptions: { piiLoggingEnabled: false, logLevel: 0, loggerCallback: () => {} } },
    });
  }

  static async pkce(): Promise<{ verifier: string; challenge: string }> {
    return new CryptoProvider().generatePkceCodes();
  }

  /** The customer tenant's authorize URL (prompt=select_account: the analyst picks the account they were invited as). */
  authorizeUrl(input: { redirectUri: string; state: string; codeChallenge: string; loginHint?: string }): Promise<string> {
    return this.app.getAuthCodeUrl({
      scopes: [...CONNECT_SCOPES],
      redirectUri: input.redirectUri,
      state: input.state,
      codeChallenge: input.codeChallenge,
      codeChallengeMethod: "S256",
      prompt: "select_account",
      responseMode: "query",
      ...(input.loginHint ? { loginHint: input.loginHint } : {}),
    });
  }

  /** Redeems the code; the cache (with the refresh token) is persisted. Returns who signed in, as the tenant knows them. */
  async redeem(input: { code: string; redirectUri: string; codeVerifier: string }): Promise<{ tenantId: string; username: string; oid: string }> {
    let result;
    try {
      result = await this.app.acquireTokenByCode({
        code: input.code,
        scopes: [...DELEGATED_SCOPES.xdr],
        redirectUri: input.redirectUri,
        codeVerifier: input.codeVerifier,
      });
    } catch (err) {
      throw classifyDelegatedError(err);
    }
    const claims = decodeJwt(result.accessToken);
    const tenantId = String(claims.tid ?? "").toLowerCase();
    const username = String(claims.upn ?? claims.unique_name ?? result.account?.username ?? "unknown").slice(0, 320);
    return { tenantId, username, oid: String(claims.oid ?? "") };
  }

  /** A token for `api` from the cache, refreshed with the refresh token when due. Never interactive. */
  async acquire(api: "xdr" | "mde", opts: { fresh?: boolean } = {}): Promise<TenantToken & { username: string }> {
    const accounts = await this.app.getTokenCache().getAllAccounts();
    const account = accounts.find((a) => a.tenantId.toLowerCase() === this.tenantId.toLowerCase()) ?? accounts[0];
    if (!account) throw new DelegatedTokenError("not_connected", "not_connected", "You have not connected your account to this customer's tenant.");
    let result;
    try {
      result = await this.app.acquireTokenSilent({
        account,
        scopes: [...DELEGATED_SCOPES[api]],
        authority: `${this.authorityHost}/${this.tenantId.toLowerCase()}`,
        forceRefresh: opts.fresh === true,
      });
    } catch (err) {
      throw classifyDelegatedError(err);
    }
    if (!result?.accessToken) throw new DelegatedTokenError("reconnect", "no_token", "Microsoft answered without a token.");
    const claims = decodeJwt(result.accessToken);
    if (String(claims.tid ?? "").toLowerCase() !== this.tenantId.toLowerCase()) {
      throw new DelegatedTokenError("reconnect", "wrong_tenant", "The token is for another tenant.");
    }
    const username = String(claims.upn ?? claims.unique_name ?? account.username);
    return {
      accessToken: result.accessToken,
      expiresOn: result.expiresOn ?? null,
      fromCache: result.fromCache,
      tenantId: this.tenantId.toLowerCase(),
      roles: [],
      audience: String(claims.aud ?? ""),
      issuedAt: typeof claims.iat === "number" ? new Date(claims.iat * 1000) : null,
      username,
    };
  }
}
