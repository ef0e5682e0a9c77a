import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Consent `state`: an HMAC of the consent request's id under the server secret. The database keeps only its SHA-256,
 * so a leaked database cannot produce a working callback, while the server can show the same link again.
 */
export function deriveState(secret: string, consentRequestId: string): string {
  return createHmac("sha256", secret).update(`consent-state:v1:${consentRequestId}`).digest("base64url");
}

export function hashState(state: string): string {
  return createHash("sha256").update(state).digest("hex");
}

/** States are 43 base64url characters; anything else is refused before touching the database. */
export function looksLikeState(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

export function stateMatches(secret: string, consentRequestId: string, state: string): boolean {
  const expected = Buffer.from(deriveState(secret, consentRequestId));
  const given = Buffer.from(state);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
