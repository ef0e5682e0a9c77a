import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { checkUrlShape, resolvePublic, systemResolver, UrlRefusedError, type Resolver } from "./ssrf.ts";

/**
 * One POST to a webhook or Teams URL, with the SSRF guard applied at connect time: the socket's own lookup resolves
 * the name, refuses a private answer, and connects to the address it checked (no second resolution in between, so
 * DNS rebinding cannot slip in). Redirects are not followed (a 3xx is an answer, and a failure).
 */
export interface PostOutcome {
  /** null when no HTTP answer came (refused, timeout, connection error). */
  status: number | null;
  latencyMs: number;
  /** Milliseconds the receiver asked us to wait (Retry-After on 429/503). */
  retryAfterMs: number | null;
  error: string | null;
  /** The request never left: the guard refused it. */
  refused: boolean;
  /** Unknown outcome: the request may have reached the receiver (timeout after sending). */
  unknownOutcome: boolean;
}

export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, 3_600_000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), 3_600_000);
}

export async function postJson(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  opts: { allowedPrivateOrigins: readonly string[]; timeoutMs: number; resolver?: Resolver },
): Promise<PostOutcome> {
  const started = Date.now();
  const done = (o: Omit<PostOutcome, "latencyMs">): PostOutcome => ({ ...o, latencyMs: Date.now() - started });
  let url: URL;
  let allowlisted: boolean;
  try {
    ({ url, allowlisted } = checkUrlShape(rawUrl, opts.allowedPrivateOrigins));
    // An IP literal never goes through `lookup`: check it here.
    if (!allowlisted) await resolvePublicIfLiteral(url.hostname);
  } catch (err) {
    return done({ status: null, retryAfterMs: null, error: (err as Error).message, refused: true, unknownOutcome: false });
  }
  const resolver = opts.resolver ?? systemResolver;
  let refusal: string | null = null;
  const lookup: LookupFunction = (hostname, options, callback) => {
    const checked = allowlisted ? resolver(hostname) : resolvePublic(hostname, resolver);
    checked.then(
      (addresses) => {
        if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof addresses) => void)(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: Error) => {
        if (err instanceof UrlRefusedError) refusal = err.message;
        callback(err as NodeJS.ErrnoException, "", 4);
      },
    );
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise<PostOutcome>((resolve) => {
    let sent = false;
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "DefenderPartnerPortal/1", ...headers },
        lookup,
        timeout: opts.timeoutMs,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(res.headers["retry-after"] as string | undefined) : null;
        // The body is not needed (and is the receiver's text): read a little, then drop the connection.
        let seen = 0;
        res.on("data", (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > 65_536) res.destroy();
        });
        const finish = () =>
          resolve(done({ status, retryAfterMs, error: status >= 200 && status < 300 ? null : `HTTP ${status}`, refused: false, unknownOutcome: false }));
        res.on("end", finish);
        res.on("close", finish);
        res.on("error", finish);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on("error", (err) => {
      if (refusal) return resolve(done({ status: null, retryAfterMs: null, error: refusal, refused: true, unknownOutcome: false }));
      resolve(done({ status: null, retryAfterMs: null, error: err.message.slice(0, 300), refused: false, unknownOutcome: sent }));
    });
    req.end(body, () => {
      sent = true;
    });
  });
}

async function resolvePublicIfLiteral(host: string) {
  const bare = host.replace(/^\[|\]$/g, "");
  if (/^[\d.]+$|:/.test(bare)) await resolvePublic(bare);
}
