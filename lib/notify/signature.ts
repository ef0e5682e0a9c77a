import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures (README "Verifying a webhook"): HMAC-SHA256 under the endpoint's secret over
 * `${timestamp}.${body}`, sent as `X-Portal-Timestamp: <unix seconds>` and `X-Portal-Signature: v1=<hex>`.
 * A receiver recomputes it over the raw body and rejects timestamps older than a few minutes (replay).
 */
export const TIMESTAMP_HEADER = "X-Portal-Timestamp";
export const SIGNATURE_HEADER = "X-Portal-Signature";
export const DELIVERY_ID_HEADER = "X-Portal-Delivery-Id";

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export function verify(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, ts, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
