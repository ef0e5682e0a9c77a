import { randomUUID } from "node:crypto";
import { normalizeAddress, parseTrustedProxies, type TrustedProxies } from "../security/client-address.ts";

/**
 * The id of one web request, in every log line it causes and in the `x-request-id` response header. A reverse proxy
 * listed in TRUSTED_PROXIES may send its own (so its access log and ours join up); from anyone else the header is
 * ignored and an id is generated. Only short, plain ids are taken: a header is not a way into the log.
 */
export const REQUEST_ID_HEADER = "x-request-id";
const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

let trusted: TrustedProxies | null | undefined;
function trustedProxies(): TrustedProxies | null {
  if (trusted === undefined) {
    try {
      trusted = parseTrustedProxies(process.env.TRUSTED_PROXIES);
    } catch {
      // lib/config/env.ts refuses a bad TRUSTED_PROXIES at start; here a bad list just trusts nobody.
      trusted = null;
    }
  }
  return trusted;
}

export function isSafeRequestId(id: string | null | undefined): id is string {
  return typeof id === "string" && SAFE_ID.test(id);
}

export function chooseRequestId(incoming: string | string[] | null | undefined, socketAddress: string | null | undefined, list = trustedProxies()): string {
  const id = Array.isArray(incoming) ? incoming[0] : incoming;
  const peer = normalizeAddress(socketAddress);
  if (list && peer && isSafeRequestId(id) && list.list.check(peer, peer.includes(":") ? "ipv6" : "ipv4")) return id;
  return randomUUID();
}
