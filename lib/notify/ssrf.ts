import { lookup as dnsLookup } from "node:dns";
import { BlockList, isIP } from "node:net";
import { AppError, isNamedError } from "../errors.ts";

/**
 * The SSRF guard for webhook and Teams URLs. A channel may target only public addresses over https, unless its
 * origin is one the operator allowed (NOTIFY_ALLOWED_PRIVATE_URLS: the demo's own local receiver). Checked when a
 * channel is saved and again on every send, at connect time: the address a request connects to is the one that was
 * checked (the lookup below is the socket's lookup), so a name that re-resolves to 127.0.0.1 later (DNS rebinding)
 * is refused then.
 */
export class UrlRefusedError extends AppError {
  override name = "UrlRefusedError";
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "UrlRefusedError");
  }
  constructor(message: string) {
    super(message, "url_refused", 400);
  }
}

const blocked = new BlockList();
// IPv4: "this network", private, carrier-grade NAT, loopback, link-local (169.254.169.254 metadata), IETF protocol
// assignments, benchmarking, multicast, reserved, broadcast.
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  blocked.addSubnet(net, prefix, "ipv4");
// IPv6: unspecified, loopback, unique local (fc00::/7, includes fd00::/8 and fd00:ec2::254 metadata), link-local,
// site-local, multicast, documentation, discard.
blocked.addAddress("::", "ipv6");
blocked.addAddress("::1", "ipv6");
for (const [net, prefix] of [
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["100::", 64],
] as const)
  blocked.addSubnet(net, prefix, "ipv6");

/** IPv4 inside an IPv6 address (::ffff:a.b.c.d, ::a.b.c.d, NAT64 64:ff9b::/96) as dotted IPv4, else null. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const m = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (m) return m[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

/** Is this IP literal private, loopback, link-local, metadata or otherwise not a public unicast address? */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v = isIP(bare);
  if (v === 4) return blocked.check(bare, "ipv4");
  if (v === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4) return blocked.check(v4, "ipv4");
    return blocked.check(bare, "ipv6");
  }
  return true; // not an address at all: refuse
}

export interface CheckedUrl {
  url: URL;
  /** The origin is on the operator's allowlist: private addresses and plain http accepted. */
  allowlisted: boolean;
}

/** The static part of the check (scheme, credentials, host form), with no network access. */
export function checkUrlShape(raw: string, allowedPrivateOrigins: readonly string[]): CheckedUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UrlRefusedError("That is not a URL.");
  }
  if (url.username || url.password) throw new UrlRefusedError("A URL with a user name or password is not accepted.");
  const allowlisted = allowedPrivateOrigins.includes(url.origin);
  if (allowlisted) return { url, allowlisted };
  if (url.protocol !== "https:") throw new UrlRefusedError("The URL must use https://.");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) && isPrivateAddress(host)) throw new UrlRefusedError(`${host} is a private, loopback, link-local or reserved address: refused.`);
  if (/^(localhost|.*\.localhost|.*\.local|.*\.internal)$/i.test(host)) throw new UrlRefusedError(`${host} is a local name: refused.`);
  return { url, allowlisted };
}

type LookupAddress = { address: string; family: number };
export type Resolver = (host: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** Every address the name resolves to must be public (one private answer refuses the lot). */
export async function resolvePublic(host: string, resolver: Resolver = systemResolver): Promise<LookupAddress[]> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare)) {
    if (isPrivateAddress(bare)) throw new UrlRefusedError(`${bare} is a private, loopback, link-local or reserved address: refused.`);
    return [{ address: bare, family: isIP(bare) }];
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolver(bare);
  } catch (err) {
    throw new UrlRefusedError(`${bare} does not resolve (${(err as NodeJS.ErrnoException).code ?? "DNS error"}).`);
  }
  if (!addresses.length) throw new UrlRefusedError(`${bare} does not resolve.`);
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw new UrlRefusedError(`${bare} resolves to ${bad.address}, a private, loopback, link-local or reserved address: refused.`);
  return addresses;
}

/** The full check a save does: shape, then DNS (skipped for allowlisted origins). */
export async function checkTargetUrl(raw: string, allowedPrivateOrigins: readonly string[], resolver: Resolver = systemResolver): Promise<CheckedUrl> {
  const checked = checkUrlShape(raw, allowedPrivateOrigins);
  if (!checked.allowlisted) await resolvePublic(checked.url.hostname, resolver);
  return checked;
}
