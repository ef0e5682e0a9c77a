// Shared state of one simulator instance, handed to every route module.
import { randomBytes, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Directory, Tenant } from "./directory.ts";
import { errorPage } from "./html.ts";
import { htmlResult, json, type RequestCounters, type Route, type SimRequest, type SimResult } from "./http.ts";
import type { AccessTokenClaims, TokenService, VerifyAccessTokenOptions } from "./tokens.ts";

export interface RegisteredCertificate {
  pem: string;
  x5tS256: string;
  x5t: string;
}

/** The partner's multi-tenant app registration. */
export interface AppRegistration {
  clientId: string;
  displayName: string;
  /** Shown on the consent page; the publisher is the partner (home) tenant. */
  publisher: string;
  clientSecrets: string[];
  certificates: RegisteredCertificate[];
  redirectUris: string[];
  /** requiredResourceAccess: application permissions by canonical resource URI. */
  requiredPermissions: Readonly<Record<string, readonly string[]>>;
}

export interface SimulatorContext {
  /** e.g. https://localhost:8443 (set once listening). */
  readonly baseUrl: string;
  readonly app: AppRegistration;
  readonly directory: Directory;
  readonly tokens: TokenService;
  readonly counters: RequestCounters;
  readonly interactions: InteractionStore;
  readonly grants: GrantStore;
  readonly log: (line: string) => void;
  /** Verifies an access token this simulator issued (see TokenService.verifyAccessToken). */
  verifyAccessToken(token: string, opts?: VerifyAccessTokenOptions): AccessTokenClaims;
  /** The raw response of a request being handled (lets a fault close the socket instead of answering). */
  rawResponse?(req: SimRequest): ServerResponse | undefined;
}

/** A route module: the Entra endpoints, the control API, and later the Defender data APIs. */
export type SimulatorModule = (ctx: SimulatorContext) => Route[];

// ---------------------------------------------------------------------------------------------
// Tenant path segment
// ---------------------------------------------------------------------------------------------

export type TenantRef =
  { kind: "tenant"; segment: string; tenant: Tenant } | { kind: "organizations" | "common"; segment: string } | { kind: "unknown"; segment: string };

export function resolveTenantSegment(directory: Directory, segment: string): TenantRef {
  const lower = segment.toLowerCase();
  if (lower === "organizations" || lower === "common") return { kind: lower, segment: lower };
  const tenant = directory.findTenant(lower);
  return tenant ? { kind: "tenant", segment, tenant } : { kind: "unknown", segment };
}

/** Counter key: the tenant GUID when the segment names one tenant, else "-". */
export function tenantKey(ref: TenantRef): string {
  return ref.kind === "tenant" ? ref.tenant.id : "-";
}

// ---------------------------------------------------------------------------------------------
// Entra error shapes
// ---------------------------------------------------------------------------------------------

/** "2016-01-09 02:02:12Z", the format of Entra's `timestamp`. */
export function entraTimestamp(d = new Date()): string {
  return d
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");
}

export interface EntraErrorInfo {
  code: number;
  message: string;
  traceId: string;
  correlationId: string;
  timestamp: string;
  /** "AADSTSnnnn: message\r\nTrace ID: ...\r\nCorrelation ID: ...\r\nTimestamp: ..." */
  description: string;
  errorUri: string;
}

export function entraError(ctx: SimulatorContext, req: SimRequest, code: number, message: string): EntraErrorInfo {
  const traceId = randomUUID();
  const timestamp = entraTimestamp();
  return {
    code,
    message,
    traceId,
    correlationId: req.correlationId,
    timestamp,
    description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${req.correlationId}\r\nTimestamp: ${timestamp}`,
    errorUri: `${ctx.baseUrl}/error?code=${code}`,
  };
}

/** The documented token-endpoint error body (entra-docs reference-error-codes.md). */
export function tokenError(ctx: SimulatorContext, req: SimRequest, status: number, error: string, code: number, message: string): SimResult {
  const e = entraError(ctx, req, code, message);
  return json(status, {
    error,
    error_description: e.description,
    error_codes: [code],
    timestamp: e.timestamp,
    trace_id: e.traceId,
    correlation_id: e.correlationId,
    error_uri: e.errorUri,
  });
}

/** Error rendered on the login page itself (no redirect back to the app). */
export function entraErrorPage(ctx: SimulatorContext, req: SimRequest, status: number, code: number, message: string): SimResult {
  const e = entraError(ctx, req, code, message);
  return htmlResult(status, errorPage({ code, message, traceId: e.traceId, correlationId: e.correlationId, timestamp: e.timestamp }));
}

export const MESSAGES = {
  tenantNotFound: (segment: string) =>
    `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  appNotFound: (clientId: string, directoryName: string) =>
    `Application with identifier '${clientId}' was not found in the directory '${directoryName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  replyUrlMismatch: (redirectUri: string, clientId: string) =>
    `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
  missingParameter: (name: string) => `The request body must contain the following parameter: '${name}'.`,
  userDeclined: () => "User declined to consent to access the app.",
  adminConsentRequired: (appName: string) =>
    `${appName} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.`,
  userNotInTenant: (upn: string, userTenantId: string, tenant: Tenant, clientId: string, appName: string) =>
    `User account '${upn}' from identity provider 'https://sts.windows.net/${userTenantId}/' does not exist in tenant '${tenant.displayName}' and cannot access the application '${clientId}'(${appName}) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account.`,
  // AADSTS65001 (entra-docs reference-error-codes.md: DelegationDoesNotExist; wording as Entra sends it, e.g.
  // troubleshoot-consent-issues.md).
  consentMissing: (clientId: string, appName: string) =>
    `The user or administrator has not consented to use the application with ID '${clientId}' named '${appName}'. Send an interactive authorization request for this user and resource.`,
  resourceNotFound: (resource: string, tenantName: string) =>
    `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
} as const;

// ---------------------------------------------------------------------------------------------
// Interactive transactions (sign-in and consent pages)
// ---------------------------------------------------------------------------------------------

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  responseMode: "query" | "fragment" | "form_post";
}

export type ConsentKind = "adminconsent.v2" | "adminconsent.v1" | "legacy-consent";

export interface ConsentParams {
  redirectUri?: string;
  state?: string;
  /** The `scope` parameter as sent (v2 only), echoed on success. */
  scope?: string;
  /** App roles requested, by canonical resource URI. */
  roles: Record<string, string[]>;
  /** Delegated permissions requested for all users of the tenant, by canonical resource URI. */
  scopes?: Record<string, string[]>;
  /** Delegated/OIDC permissions shown on the consent page only. */
  displayOnly: { name: string; description: string; resource: string }[];
}

interface InteractionBase {
  id: string;
  createdAt: number;
  /** The `{tenant}` segment of the original URL (GUID, domain, organizations, common). */
  tenantSegment: string;
  /** The tenant the URL named, when it named one. */
  urlTenantId?: string;
  /** Chosen user, once signed in. */
  user?: { upn: string; tenantId: string };
}

export type Interaction =
  (InteractionBase & { kind: "authorize"; authorize: AuthorizeParams }) | (InteractionBase & { kind: ConsentKind; consent: ConsentParams });

const INTERACTION_TTL_MS = 15 * 60 * 1000;

export class InteractionStore {
  private readonly items = new Map<string, Interaction>();

  create<T extends Interaction>(value: Omit<T, "id" | "createdAt">): T {
    this.prune();
    const full = { ...value, id: randomBytes(18).toString("base64url"), createdAt: Date.now() } as T;
    this.items.set(full.id, full);
    return full;
  }

  get(id: string): Interaction | undefined {
    this.prune();
    return this.items.get(id);
  }

  /** Completes a transaction: it cannot be replayed afterwards. */
  finish(id: string): void {
    this.items.delete(id);
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, v] of this.items) if (now - v.createdAt > INTERACTION_TTL_MS) this.items.delete(id);
  }
}

// ---------------------------------------------------------------------------------------------
// Authorization codes and refresh tokens
// ---------------------------------------------------------------------------------------------

export interface AuthCodeRecord {
  clientId: string;
  redirectUri: string;
  /** The user's tenant (the token's tid). */
  tenantId: string;
  /** How the authorize URL named the tenant: a code from /organizations is redeemed at /organizations. */
  issuedVia: "tenant" | "organizations" | "common";
  upn: string;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  expiresAt: number;
}

export interface RefreshTokenRecord {
  clientId: string;
  tenantId: string;
  upn: string;
  scopes: string[];
}

/** Codes live 10 minutes and are single use (entra-docs v2-oauth2-auth-code-flow.md). */
export const AUTH_CODE_TTL_MS = 10 * 60 * 1000;

export class GrantStore {
  private readonly codes = new Map<string, AuthCodeRecord>();
  private readonly redeemed = new Map<string, number>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();

  issueCode(record: Omit<AuthCodeRecord, "expiresAt">): string {
    const code = `1.${randomBytes(48).toString("base64url")}`;
    this.codes.set(code, { ...record, expiresAt: Date.now() + AUTH_CODE_TTL_MS });
    return code;
  }

  /** Takes the code out of the store (single use). `redeemed` tells a replay from an unknown code. */
  takeCode(code: string): { record?: AuthCodeRecord; redeemed: boolean } {
    const now = Date.now();
    for (const [c, exp] of this.redeemed) if (exp < now) this.redeemed.delete(c);
    const record = this.codes.get(code);
    if (!record) return { redeemed: this.redeemed.has(code) };
    this.codes.delete(code);
    this.redeemed.set(code, record.expiresAt + AUTH_CODE_TTL_MS);
    return { record, redeemed: false };
  }

  issueRefreshToken(record: RefreshTokenRecord): string {
    const token = `1.${randomBytes(64).toString("base64url")}`;
    this.refreshTokens.set(token, record);
    return token;
  }

  takeRefreshToken(token: string): RefreshTokenRecord | undefined {
    const record = this.refreshTokens.get(token);
    // Refresh tokens rotate: the old one is spent once a new one is issued.
    if (record) this.refreshTokens.delete(token);
    return record;
  }
}
