// Client authentication at the token endpoint: client_secret_post, client_secret_basic
// (RFC 6749 §2.3.1: id and secret form-url-encoded before base64) and private_key_jwt
// (entra-docs certificate-credentials.md).
import { createHash, timingSafeEqual, X509Certificate, type KeyObject } from "node:crypto";
import { tokenError, type SimulatorContext, type TenantRef } from "../context.ts";
import type { SimRequest, SimResult } from "../http.ts";
import { decodeJwt, verifyJwsSignature } from "../tokens.ts";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export type ClientIdResult = { ok: true; clientId: string; basicSecret?: string } | { ok: false; result: SimResult };
export type ClientAuthResult = { ok: true; appidacr: "1" | "2" } | { ok: false; result: SimResult };

function formUrlDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

/** The client_id from the body or the Basic header (they must agree when both are present). */
export function readClientId(ctx: SimulatorContext, req: SimRequest, form: URLSearchParams): ClientIdResult {
  const auth = req.headers.authorization;
  let basicId: string | undefined;
  let basicSecret: string | undefined;
  if (auth && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), "base64").toString("utf8");
    const idx = decoded.indexOf(":");
    try {
      basicId = formUrlDecode(idx >= 0 ? decoded.slice(0, idx) : decoded);
      basicSecret = idx >= 0 ? formUrlDecode(decoded.slice(idx + 1)) : "";
    } catch {
      return {
        ok: false,
        result: tokenError(ctx, req, 401, "invalid_client", 7000215, "Invalid client secret provided. The Authorization header could not be decoded."),
      };
    }
  }
  const bodyId = form.get("client_id") ?? undefined;
  if (basicId !== undefined && bodyId !== undefined && basicId !== bodyId) {
    return {
      ok: false,
      result: tokenError(
        ctx,
        req,
        400,
        "invalid_request",
        9002313,
        "Invalid request. The client_id in the request body does not match the Authorization header.",
      ),
    };
  }
  const clientId = basicId ?? bodyId;
  if (!clientId)
    return { ok: false, result: tokenError(ctx, req, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.") };
  return { ok: true, clientId, ...(basicSecret !== undefined ? { basicSecret } : {}) };
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Client assertions are checked for uniqueness of `jti` across different assertions. The *same*
 * assertion may be presented again until it expires: msal-node caches its signed assertion per
 * (issuer, audience) for 10 minutes and reuses it for every token request to that tenant
 * (ClientAssertion.getJwt), so Entra evidently accepts re-presentation. Rejecting it would break
 * a second resource or a skipCache refresh in the same tenant.
 */
export class AssertionJtiRegistry {
  private readonly seen = new Map<string, { digest: string; exp: number }>();

  check(jti: string, assertion: string, exp: number): boolean {
    const now = Math.floor(Date.now() / 1000);
    for (const [k, v] of this.seen) if (v.exp < now) this.seen.delete(k);
    const digest = createHash("sha256").update(assertion).digest("base64url");
    const prior = this.seen.get(jti);
    if (prior && prior.digest !== digest) return false;
    this.seen.set(jti, { digest, exp });
    return true;
  }
}

/** Token endpoint URLs an assertion may name as `aud`: v2 and v1 forms, any name of the tenant. */
function acceptedAudiences(ctx: SimulatorContext, ref: TenantRef): Set<string> {
  const names = new Set<string>([ref.segment.toLowerCase()]);
  if (ref.kind === "tenant") {
    names.add(ref.tenant.id);
    names.add(ref.tenant.domain);
  }
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${ctx.baseUrl}/${n}/oauth2/v2.0/token`.toLowerCase());
    out.add(`${ctx.baseUrl}/${n}/oauth2/token`.toLowerCase());
  }
  return out;
}

export function authenticateClient(
  ctx: SimulatorContext,
  req: SimRequest,
  form: URLSearchParams,
  ref: TenantRef,
  client: { clientId: string; basicSecret?: string },
  jtis: AssertionJtiRegistry,
): ClientAuthResult {
  const secret = client.basicSecret ?? form.get("client_secret") ?? undefined;
  const assertion = form.get("client_assertion") ?? undefined;
  const assertionType = form.get("client_assertion_type") ?? undefined;
  const fail = (status: number, error: string, code: number, message: string): ClientAuthResult => ({
    ok: false,
    result: tokenError(ctx, req, status, error, code, message),
  });

  if (secret !== undefined && assertion !== undefined) {
    return fail(400, "invalid_request", 9002313, "Invalid request. Only one client credential (client_secret or client_assertion) may be presented.");
  }
  if (client.basicSecret !== undefined && form.get("client_secret") !== null) {
    return fail(400, "invalid_request", 9002313, "Invalid request. The client secret was sent both in the Authorization header and in the body.");
  }

  if (secret !== undefined) {
    if (!ctx.app.clientSecrets.some((s) => sameSecret(s, secret))) {
      return fail(
        401,
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${ctx.app.clientId}'.`,
      );
    }
    return { ok: true, appidacr: "1" };
  }

  if (assertion !== undefined) {
    if (assertionType !== JWT_BEARER) {
      return fail(400, "invalid_request", 90014, `The required field 'client_assertion_type' is missing or is not '${JWT_BEARER}'.`);
    }
    const bad = (reason: string) => fail(401, "invalid_client", 700027, `Client assertion failed signature validation. [Reason - ${reason}]`);
    const decoded = decodeJwt(assertion);
    if (!decoded) return bad("The assertion is not a well-formed JWT.");
    const h = decoded.header;
    const x5tS256 = typeof h["x5t#S256"] === "string" ? h["x5t#S256"] : undefined;
    const x5t = typeof h.x5t === "string" ? h.x5t : undefined;
    const cert = ctx.app.certificates.find(
      (c) => (x5tS256 !== undefined && c.x5tS256 === x5tS256) || (x5tS256 === undefined && x5t !== undefined && c.x5t === x5t),
    );
    if (!cert) {
      return bad(
        `The key was not found., Thumbprint of key used by client: '${x5tS256 ?? x5t ?? "none"}'. Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${ctx.app.clientId}'.`,
      );
    }
    if (h.alg !== "RS256" && h.alg !== "PS256") return bad(`Unsupported algorithm '${String(h.alg)}'.`);
    if (!verifyJwsSignature(decoded, publicKeyOf(cert.pem))) {
      return bad("The signature does not verify with the registered certificate.");
    }
    const p = decoded.payload;
    if (p.iss !== client.clientId || p.sub !== client.clientId) {
      return fail(401, "invalid_client", 50048, "Subject mismatches Issuer claim in the client assertion, or neither matches the client_id.");
    }
    if (typeof p.aud !== "string" || !acceptedAudiences(ctx, ref).has(p.aud.toLowerCase())) {
      return fail(
        401,
        "invalid_client",
        700027,
        `Client assertion audience claim does not match Realm issuer. Review the documentation at https://aka.ms/certCreds.`,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof p.exp !== "number" || p.exp <= now) {
      return fail(401, "invalid_client", 700024, "Client assertion is not within its valid time range.");
    }
    if (typeof p.nbf === "number" && p.nbf > now + 300) {
      return fail(401, "invalid_client", 700024, "Client assertion is not within its valid time range.");
    }
    if (typeof p.jti !== "string" || p.jti.length === 0) {
      return fail(401, "invalid_client", 700027, "Client assertion contains no 'jti' claim.");
    }
    if (!jtis.check(p.jti, assertion, p.exp)) {
      return fail(401, "invalid_client", 700027, "Client assertion 'jti' has already been used by a different assertion.");
    }
    return { ok: true, appidacr: "2" };
  }

  return fail(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
}

const keyCache = new Map<string, KeyObject>();
function publicKeyOf(pem: string): KeyObject {
  let key = keyCache.get(pem);
  if (!key) {
    key = new X509Certificate(pem).publicKey;
    keyCache.set(pem, key);
  }
  return key;
}
