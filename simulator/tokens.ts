// Token signing, JWKS and token minting, plus verifyAccessToken: the seam data-API modules use to
// check the access tokens this simulator issues.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign as cryptoSign,
  verify as cryptoVerify,
  constants as cryptoConstants,
  X509Certificate,
  type KeyObject,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { selfSignedCertificateForKey } from "./certs.ts";

// ---------------------------------------------------------------------------------------------
// JWT primitives
// ---------------------------------------------------------------------------------------------

export type JwtHeader = Record<string, unknown> & { alg?: unknown; kid?: unknown };
export type JwtPayload = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  payload: JwtPayload;
  signingInput: string;
  signature: Buffer;
}

const b64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    if (!isObject(header) || !isObject(payload)) return null;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, "base64url") };
  } catch {
    return null;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Verifies an RS256 or PS256 JWS signature (RFC 7518 §3.3, §3.5: PSS salt length = hash length). */
export function verifyJwsSignature(decoded: DecodedJwt, publicKey: KeyObject): boolean {
  const input = Buffer.from(decoded.signingInput);
  if (decoded.header.alg === "RS256") return cryptoVerify("sha256", input, publicKey, decoded.signature);
  if (decoded.header.alg === "PS256") {
    return cryptoVerify("sha256", input, { key: publicKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, decoded.signature);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Signing key
// ---------------------------------------------------------------------------------------------

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
  x5t: string;
  /** base64 DER certificate, as in JWKS `x5c`. */
  x5c: string;
}

const signingKeyFileSchema = z.object({ privateKeyPem: z.string(), certPem: z.string() });

/** RSA 2048 signing key; persisted in `file` when given so tokens stay valid across restarts. */
export function loadOrCreateSigningKey(file?: string): SigningKey {
  if (file && existsSync(file)) {
    const stored = signingKeyFileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    return signingKeyFrom(stored.privateKeyPem, stored.certPem);
  }
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  // Entra's signing certificates are self-signed with this subject.
  const certPem = selfSignedCertificateForKey("accounts.accesscontrol.windows.net", privateKeyPem, publicKeyPem);
  if (file) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ privateKeyPem, certPem }, null, 2), { mode: 0o600 });
  }
  return signingKeyFrom(privateKeyPem, certPem);
}

function signingKeyFrom(privateKeyPem: string, certPem: string): SigningKey {
  const cert = new X509Certificate(certPem);
  // Entra uses the base64url SHA-1 thumbprint as both kid and x5t.
  const x5t = createHash("sha1").update(cert.raw).digest("base64url");
  return {
    privateKey: createPrivateKey(privateKeyPem),
    publicKey: createPublicKey(privateKeyPem),
    kid: x5t,
    x5t,
    x5c: cert.raw.toString("base64"),
  };
}

// ---------------------------------------------------------------------------------------------
// Access token verification (the seam for data API modules)
// ---------------------------------------------------------------------------------------------

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  sub: string;
  appid: string;
  /** Application permissions granted for THIS resource; [] when the claim is absent. */
  roles: string[];
  /** Delegated scopes (user tokens only). */
  scp?: string;
  idtyp?: string;
  ver: string;
  iat: number;
  nbf: number;
  exp: number;
  raw: JwtPayload;
}

export class AccessTokenError extends Error {
  constructor(
    message: string,
    readonly reason: "malformed" | "signature" | "expired" | "not_yet_valid" | "issuer" | "audience",
  ) {
    super(message);
  }
}

const accessTokenPayloadSchema = z.looseObject({
  aud: z.string(),
  iss: z.string(),
  tid: z.string(),
  oid: z.string(),
  sub: z.string(),
  appid: z.string(),
  roles: z.array(z.string()).optional(),
  scp: z.string().optional(),
  idtyp: z.string().optional(),
  ver: z.string(),
  iat: z.number(),
  nbf: z.number(),
  exp: z.number(),
});

export interface VerifyAccessTokenOptions {
  /** Accept the token only when `aud` satisfies this (e.g. `(aud) => audienceMatches(aud, RESOURCES.mtp)`). */
  audience?: (aud: string) => boolean;
  /** Seconds of clock skew tolerated. Default 0: tests can rely on exact expiry. */
  clockToleranceSeconds?: number;
  now?: () => number;
}

// ---------------------------------------------------------------------------------------------
// Token service
// ---------------------------------------------------------------------------------------------

export const APP_TOKEN_LIFETIME_SECONDS = 3599;
export const ID_TOKEN_LIFETIME_SECONDS = 3600;

export interface IssuedToken {
  token: string;
  iat: number;
  nbf: number;
  exp: number;
}

export interface AppTokenInput {
  tenantId: string;
  /** The resource identifier exactly as requested (Entra echoes it in `aud`). */
  audience: string;
  clientId: string;
  /** "1" client secret, "2" certificate. */
  appidacr: "1" | "2";
  servicePrincipalId: string;
  roles: readonly string[];
}

export interface UserTokenInput {
  tenantId: string;
  clientId: string;
  user: { oid: string; upn: string; name: string; appRoles: readonly string[] };
  nonce?: string;
  scopes: readonly string[];
  /** `iss` of the id token: https://HOST/{tid}/v2.0 */
  issuer: string;
  appidacr: "1" | "2";
  /** The user's object in `tenantId` when it differs from the home one (a B2B guest); `homeTenantId` sets `idp`. */
  oidInTenant?: string;
  homeTenantId?: string;
  /** A token for another resource than Graph: its `aud` and the delegated scopes granted for it (`scp`). */
  resource?: { audience: string; scopes: readonly string[] };
}

export class TokenService {
  constructor(private readonly key: SigningKey) {}

  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.key.publicKey.export({ format: "jwk" });
    return {
      keys: [{ kty: "RSA", use: "sig", kid: this.key.kid, x5t: this.key.x5t, n: jwk.n, e: jwk.e, x5c: [this.key.x5c] }],
    };
  }

  sign(payload: JwtPayload, extraHeader: JwtHeader = {}): string {
    const header = { typ: "JWT", alg: "RS256", ...extraHeader, kid: this.key.kid };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = cryptoSign("sha256", Buffer.from(input), this.key.privateKey);
    return `${input}.${signature.toString("base64url")}`;
  }

  /** v1-format app-only token, as Entra issues for Microsoft's first-party resources (also via the v2 endpoint). */
  issueAppToken(input: AppTokenInput, nowSeconds = Math.floor(Date.now() / 1000)): IssuedToken {
    const iat = nowSeconds;
    const nbf = iat;
    const exp = iat + APP_TOKEN_LIFETIME_SECONDS;
    const iss = `https://sts.windows.net/${input.tenantId}/`;
    const payload: JwtPayload = {
      aud: input.audience,
      iss,
      iat,
      nbf,
      exp,
      aio: opaque(),
      appid: input.clientId,
      appidacr: input.appidacr,
      idp: iss,
      idtyp: "app",
      oid: input.servicePrincipalId,
      rh: `0.${opaque()}.`,
      // Entra omits `roles` entirely when no application permission is granted.
      ...(input.roles.length > 0 ? { roles: [...input.roles] } : {}),
      sub: input.servicePrincipalId,
      tid: input.tenantId,
      uti: opaque(16),
      ver: "1.0",
    };
    return { token: this.sign(payload, { x5t: this.key.x5t }), iat, nbf, exp };
  }

  /** v2 id_token for the authorization code flow. */
  issueIdToken(input: UserTokenInput, nowSeconds = Math.floor(Date.now() / 1000)): IssuedToken {
    const iat = nowSeconds;
    const exp = iat + ID_TOKEN_LIFETIME_SECONDS;
    const payload: JwtPayload = {
      aud: input.clientId,
      iss: input.issuer,
      iat,
      nbf: iat,
      exp,
      ...(input.scopes.includes("email") ? { email: input.user.upn } : {}),
      name: input.user.name,
      ...(input.nonce ? { nonce: input.nonce } : {}),
      oid: input.oidInTenant ?? input.user.oid,
      preferred_username: input.user.upn,
      rh: `0.${opaque()}.`,
      ...(input.user.appRoles.length > 0 ? { roles: [...input.user.appRoles] } : {}),
      // Entra's `sub` is pairwise: unique per user and application.
      sub: createHash("sha256")
        .update(`${input.oidInTenant ?? input.user.oid}|${input.clientId}`)
        .digest("base64url")
        .slice(0, 43),
      tid: input.tenantId,
      uti: opaque(16),
      ver: "2.0",
    };
    return { token: this.sign(payload), iat, nbf: iat, exp };
  }

  /** Delegated Microsoft Graph access token (v1 format) returned next to the id_token. */
  issueUserAccessToken(input: UserTokenInput, nowSeconds = Math.floor(Date.now() / 1000)): IssuedToken {
    const iat = nowSeconds;
    const exp = iat + APP_TOKEN_LIFETIME_SECONDS;
    const iss = `https://sts.windows.net/${input.tenantId}/`;
    const scp = input.scopes.filter((s) => !["openid", "offline_access"].includes(s));
    const oid = input.oidInTenant ?? input.user.oid;
    const payload: JwtPayload = {
      aud: input.resource?.audience ?? "00000003-0000-0000-c000-000000000000",
      iss,
      iat,
      nbf: iat,
      exp,
      acr: "1",
      amr: ["pwd"],
      appid: input.clientId,
      appidacr: input.appidacr,
      // A B2B guest's token names the home tenant as identity provider (entra-docs access-token-claims-reference.md `idp`).
      ...(input.homeTenantId && input.homeTenantId !== input.tenantId ? { idp: `https://sts.windows.net/${input.homeTenantId}/` } : {}),
      idtyp: "user",
      name: input.user.name,
      oid,
      rh: `0.${opaque()}.`,
      scp: input.resource ? [...new Set(input.resource.scopes)].join(" ") : [...new Set(["User.Read", ...scp])].join(" "),
      sub: createHash("sha256")
        .update(`${oid}|${input.resource?.audience ?? "graph"}`)
        .digest("base64url")
        .slice(0, 43),
      tid: input.tenantId,
      unique_name: input.user.upn,
      upn: input.user.upn,
      uti: opaque(16),
      ver: "1.0",
    };
    return { token: this.sign(payload, { x5t: this.key.x5t }), iat, nbf: iat, exp };
  }

  /**
   * Verifies an access token issued by this simulator: signature (RS256, our kid), nbf/exp,
   * issuer `https://sts.windows.net/{tid}/`, and optionally the audience. Throws AccessTokenError.
   */
  verifyAccessToken(token: string, opts: VerifyAccessTokenOptions = {}): AccessTokenClaims {
    const decoded = decodeJwt(token);
    if (!decoded) throw new AccessTokenError("Token is not a JWT", "malformed");
    if (decoded.header.alg !== "RS256" || decoded.header.kid !== this.key.kid) {
      throw new AccessTokenError("Unknown signing key or algorithm", "signature");
    }
    if (!verifyJwsSignature(decoded, this.key.publicKey)) throw new AccessTokenError("Invalid signature", "signature");
    const parsed = accessTokenPayloadSchema.safeParse(decoded.payload);
    if (!parsed.success) throw new AccessTokenError("Token lacks required claims", "malformed");
    const claims = parsed.data;
    const now = opts.now ? opts.now() : Math.floor(Date.now() / 1000);
    const skew = opts.clockToleranceSeconds ?? 0;
    if (claims.exp <= now - skew) throw new AccessTokenError("Token expired", "expired");
    if (claims.nbf > now + skew) throw new AccessTokenError("Token not yet valid", "not_yet_valid");
    if (claims.iss !== `https://sts.windows.net/${claims.tid}/`) throw new AccessTokenError("Unexpected issuer", "issuer");
    if (opts.audience && !opts.audience(claims.aud)) throw new AccessTokenError("Token audience not accepted", "audience");
    return {
      aud: claims.aud,
      iss: claims.iss,
      tid: claims.tid,
      oid: claims.oid,
      sub: claims.sub,
      appid: claims.appid,
      roles: claims.roles ?? [],
      ...(claims.scp !== undefined ? { scp: claims.scp } : {}),
      ...(claims.idtyp !== undefined ? { idtyp: claims.idtyp } : {}),
      ver: claims.ver,
      iat: claims.iat,
      nbf: claims.nbf,
      exp: claims.exp,
      raw: decoded.payload,
    };
  }
}

function opaque(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

export function newGuid(): string {
  return randomUUID();
}
