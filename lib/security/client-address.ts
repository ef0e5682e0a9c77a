import { BlockList, isIP } from "node:net";

/**
 * The address of the client behind a request, for per-client limits. By default the TCP peer (the socket), which
 * `scripts/serve.mjs` stamps on every request in SOCKET_ADDRESS_HEADER, replacing whatever the client sent under
 * that name. X-Forwarded-For is anyone's to write, so it counts only when the socket belongs to a proxy listed in
 * TRUSTED_PROXIES: then the client is the rightmost XFF address that is not itself a trusted proxy (MDN,
 * X-Forwarded-For "Selecting an IP address": the leftmost entries are client-supplied and cannot be trusted).
 */
export const SOCKET_ADDRESS_HEADER = "x-portal-socket-address";

/** When the server did not stamp the socket (the app run by plain `next start`): every client shares one key. */
export const UNKNOWN_CLIENT = "unknown";

export interface TrustedProxies {
  list: BlockList;
  /** As configured, for logs and the docs. */
  entries: string[];
}

/** "::ffff:10.0.0.1" → "10.0.0.1"; anything that is not an IP address → null. */
export function normalizeAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let a = raw.trim();
  // "[2001:db8::1]:443" or "10.0.0.1:443" (some proxies add the port).
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) a = mapped[1]!;
  return isIP(a) ? a.toLowerCase() : null;
}

/**
 * TRUSTED_PROXIES: comma-separated addresses or CIDR blocks of the reverse proxies in front of the portal, e.g.
 * "10.0.0.0/8, 2001:db8::/32" or "127.0.0.1". Throws with a message naming the bad entry.
 */
export function parseTrustedProxies(text: string | undefined): TrustedProxies | null {
  const entries = (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, prefixText, extra] = entry.split("/");
    const ip = normalizeAddress(addr);
    const family = ip ? isIP(ip) : 0;
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!ip || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
      throw new Error(`"${entry}" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 127.0.0.1, 2001:db8::/32)`);
    }
    list.addSubnet(ip, prefix, family === 4 ? "ipv4" : "ipv6");
  }
  return { list, entries };
}

function isTrusted(trusted: TrustedProxies, ip: string): boolean {
  return trusted.list.check(ip, isIP(ip) === 4 ? "ipv4" : "ipv6");
}

/** The client address for `headers` (see above). Never throws; a request without a stamp is UNKNOWN_CLIENT. */
export function clientAddress(headers: Headers, trusted: TrustedProxies | null): string {
  const socket = normalizeAddress(headers.get(SOCKET_ADDRESS_HEADER));
  if (!socket) return UNKNOWN_CLIENT;
  if (!trusted || !isTrusted(trusted, socket)) return socket;
  // Every X-Forwarded-For header, in order, as one list; walk from the proxy nearest to us outwards.
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  let client = socket;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]);
    // A hop that is not an address was written by someone we do not trust: stop at the last address we do.
    if (!hop) break;
    client = hop;
    if (!isTrusted(trusted, hop)) break;
  }
  return client;
}
