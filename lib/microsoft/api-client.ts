import { API_QUOTAS, API_RESOURCE, apiUrl, type MicrosoftApi, type Region } from "./hosts.ts";
import { SlidingWindowLimiter, type RateLimiter } from "./rate-limiter.ts";
import { TokenAcquisitionError } from "./token-client.ts";
import { AppError, expectedDigest, isNamedError } from "../errors.ts";
import { recordApiCall } from "../ops/metrics.ts";
import type { Semaphore } from "../shared/pool.ts";

/**
 * Calls Microsoft's Defender and Graph APIs for one customer tenant at a time, as the docs ask
 * (defender-docs common-errors.md, Graph throttling guidance): 429 waits for Retry-After; 5xx, timeouts and broken
 * bodies retry with jittered backoff, a bounded number of times; 401 retries once with a fresh token; 403/404 are
 * answers, not failures to retry. A per-tenant limiter keeps each tenant inside its documented quota.
 */
export type ApiFailureKind =
  "unauthorized" | "forbidden" | "not_found" | "throttled" | "server" | "timeout" | "malformed" | "bad_request" | "token" | "too_large";

export class MicrosoftApiError extends AppError {
  override name = "MicrosoftApiError";
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "MicrosoftApiError");
  }
  constructor(
    readonly kind: ApiFailureKind,
    /** Microsoft's HTTP status, or null when it never answered (`status` is the portal's own answer: 502). */
    readonly httpStatus: number | null,
    /** Microsoft's error code (e.g. "Forbidden", "AADSTS700016") or the portal's own. */
    code: string,
    message: string,
    /** For a 429: how long Microsoft asked to wait (Retry-After), when it said. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message, code, 502);
    // A page that lets a refusal through shows "Microsoft refused" with this code in production (app/error.tsx).
    this.digest = expectedDigest("microsoft", code);
  }
  readonly digest: string;
}

/**
 * Where a client's bearer tokens come from: the app's (TenantTokenClient, client credentials) or an analyst's own
 * (lib/microsoft/write-client.ts, user context). A provider's own errors other than TokenAcquisitionError propagate.
 */
export interface TokenProvider {
  acquire(tenantId: string, resource: string, opts?: { fresh?: boolean }): Promise<{ accessToken: string }>;
}

export interface ApiClientOptions {
  tokens: TokenProvider;
  /** MICROSOFT_API_BASE: a prefix for every API host (the local simulator), or null for the real hosts. */
  baseUrl: string | null;
  timeoutMs?: number;
  /** Attempts for one request that meets 5xx, timeouts or broken bodies (429s are counted apart). */
  maxAttempts?: number;
  /** Longest Retry-After the client will honour before giving up on this run. */
  maxRetryAfterMs?: number;
  /** 429s one request rides out: throttling is Microsoft pacing us, not a failure, so it has a budget of its own. */
  maxThrottledRetries?: number;
  /** The per-tenant budgets: in PostgreSQL (shared by every process) in the worker and the web process; in-process by default. */
  limiter?: RateLimiter;
  /** MICROSOFT_MAX_RESPONSE_BYTES: a body beyond this is refused, and reading stops there (default 32 MiB). */
  maxResponseBytes?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called for every HTTP call made (for run statistics). */
  onCall?: (api: MicrosoftApi, status: number | null) => void;
  /**
   * Shared call slots: each HTTP exchange (request to last byte of the answer) holds one. The sync worker gives its
   * runs one Semaphore(SYNC_CONCURRENCY), so Microsoft sees that many calls at once however many runs are storing.
   */
  callSlots?: Semaphore;
}

export interface PostQueryOptions {
  /** The per-tenant budget this call counts against (limiter key suffix and documented limits). */
  quota: { key: string; perMinute: number; perHour: number | null };
  timeoutMs?: number;
}

export interface TenantTarget {
  tenantId: string;
  region: Region | null;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB` : `${Math.round(n / 1024)} KiB`;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null;
}

/** Microsoft's error bodies: Defender `{error:{code,message}}`, Graph the same with innerError. */
function errorCodeOf(body: string): { code: string | null; message: string | null } {
  try {
    const j = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    return {
      code: typeof j.error?.code === "string" ? j.error.code.slice(0, 100) : null,
      message: typeof j.error?.message === "string" ? j.error.message.slice(0, 300) : null,
    };
  } catch {
    return { code: null, message: null };
  }
}

export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Error bodies are read for their code and message only. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

class BodyTooLarge extends Error {}

/**
 * Reads a body as text, at most `max` bytes: a declared Content-Length beyond it is refused before reading, and a
 * stream that grows beyond it is cancelled there, so a runaway answer never sits whole in memory.
 */
async function readBounded(res: Response, max: number, onOverflow: "throw" | "truncate"): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (onOverflow === "throw" && Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {});
    throw new BodyTooLarge();
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      if (onOverflow === "throw") throw new BodyTooLarge();
      chunks.push(value.subarray(0, value.byteLength - (total - max)));
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export class MicrosoftApiClient {
  /** The options this client was made with; a run derives its own client (same limiter) with a call counter. */
  readonly options: ApiClientOptions;
  private readonly limiter: RateLimiter;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: ApiClientOptions) {
    this.sleep = opts.sleep ?? sleepReal;
    this.limiter = opts.limiter ?? new SlidingWindowLimiter();
    // Shared by every client derived from these options, so per-tenant budgets hold across runs.
    this.options = { ...opts, limiter: this.limiter };
  }

  url(api: MicrosoftApi, target: TenantTarget, path: string): string {
    return apiUrl(api, target.region, path, this.opts.baseUrl);
  }

  /** GETs JSON from `urlOrPath` (a path on the API's host, or an absolute `@odata.nextLink`). */
  getJson(api: MicrosoftApi, target: TenantTarget, urlOrPath: string): Promise<unknown> {
    return this.send(api, target, urlOrPath, { method: "GET" });
  }

  /**
   * PATCHes a JSON body. Not idempotent (a comment would be added twice), so only answers that prove Microsoft did
   * not act (429, a 401 before a fresh token) are retried; a timeout or 5xx is reported, not repeated.
   */
  patchJson(api: MicrosoftApi, target: TenantTarget, path: string, body: unknown): Promise<unknown> {
    return this.send(api, target, path, { method: "PATCH", body: JSON.stringify(body) });
  }

  /**
   * POSTs a JSON body (a machine action: isolate-machine.md and its siblings). Not idempotent (a second isolation
   * would be a second action), so, as for PATCH, only answers that prove Microsoft did not act are retried.
   */
  postJson(api: MicrosoftApi, target: TenantTarget, path: string, body: unknown, opts: { freshToken?: boolean } = {}): Promise<unknown> {
    return this.send(api, target, path, { method: "POST", body: JSON.stringify(body), freshToken: opts.freshToken });
  }

  /**
   * POSTs a read (an advanced hunting query: security-security-runhuntingquery.md): safe to repeat, so retried like a
   * GET, under a quota of its own (`quota.key` per tenant) and with its own timeout.
   */
  postQuery(api: MicrosoftApi, target: TenantTarget, path: string, body: unknown, opts: PostQueryOptions): Promise<unknown> {
    return this.send(api, target, path, { method: "POST", body: JSON.stringify(body), retrySafe: true, ...opts });
  }

  private async send(
    api: MicrosoftApi,
    target: TenantTarget,
    urlOrPath: string,
    init: { method: "GET" | "PATCH" | "POST"; body?: string; freshToken?: boolean; retrySafe?: boolean } & Partial<PostQueryOptions>,
  ): Promise<unknown> {
    const idempotent = init.method === "GET" || init.retrySafe === true;
    const url = urlOrPath.startsWith("https://") ? urlOrPath : this.url(api, target, urlOrPath);
    this.assertSameOrigin(api, target, url);
    const maxAttempts = this.opts.maxAttempts ?? 5;
    const quota = init.quota ?? { key: api, ...API_QUOTAS[api] };
    const windows = [{ limit: quota.perMinute, ms: 60_000 }, ...(quota.perHour ? [{ limit: quota.perHour, ms: 3_600_000 }] : [])];
    // A caller may ask for a token fresh from Entra (one issued after a permission was added).
    let freshToken = init.freshToken ?? false;
    let failures = 0;
    let throttles = 0;
    // 5xx, timeouts and broken bodies: retried with backoff until maxAttempts of them (never for a PATCH).
    const retryOrThrow = async (error: MicrosoftApiError) => {
      failures += 1;
      if (!idempotent || failures >= maxAttempts) throw error;
      await this.backoff(failures);
    };
    for (;;) {
      await this.limiter.acquire(`${target.tenantId}:${quota.key}`, windows);
      let token: string;
      try {
        token = (await this.opts.tokens.acquire(target.tenantId, API_RESOURCE[api], { fresh: freshToken })).accessToken;
      } catch (err) {
        if (err instanceof TokenAcquisitionError) throw new MicrosoftApiError("token", null, err.code, err.message);
        throw err;
      }
      // Held from the request to the end of the answer's body; released before any wait (and, at the latest, on throw).
      const release = this.opts.callSlots ? await this.opts.callSlots.acquire() : null;
      try {
        let res: Response;
        try {
          res = await fetch(url, {
            method: init.method,
            headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}) },
            ...(init.body ? { body: init.body } : {}),
            signal: AbortSignal.timeout(init.timeoutMs ?? this.opts.timeoutMs ?? 30_000),
          });
        } catch (err) {
          release?.();
          this.opts.onCall?.(api, null);
          recordApiCall(api, null);
          const timedOut = (err as Error).name === "TimeoutError" || (err as Error).name === "AbortError";
          await retryOrThrow(
            new MicrosoftApiError(
              timedOut ? "timeout" : "server",
              null,
              timedOut ? "timeout" : "network_error",
              timedOut ? "Microsoft did not answer in time." : "Microsoft could not be reached.",
            ),
          );
          continue;
        }
        this.opts.onCall?.(api, res.status);
        recordApiCall(api, res.status);
        const maxBytes = this.opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
        let body: string;
        try {
          body = await readBounded(res, res.ok ? maxBytes : MAX_ERROR_BODY_BYTES, res.ok ? "throw" : "truncate");
        } catch (err) {
          if (err instanceof BodyTooLarge) {
            // Not retried: the same request would bring the same answer.
            throw new MicrosoftApiError(
              "too_large",
              res.status,
              "response_too_large",
              `Microsoft's answer was larger than ${formatBytes(maxBytes)} (MICROSOFT_MAX_RESPONSE_BYTES), so the portal stopped reading it. Narrow the request (a shorter time range or a limit).`,
            );
          }
          body = "";
        }
        // The exchange is over: parsing, and any wait before a retry, happen without the slot.
        release?.();
        if (res.ok) {
          try {
            return JSON.parse(body);
          } catch {
            await retryOrThrow(new MicrosoftApiError("malformed", res.status, "malformed_json", "Microsoft answered with a body that is not JSON."));
            continue;
          }
        }
        const { code, message } = errorCodeOf(body);
        const describe = (fallback: string) => `${message ?? fallback} (HTTP ${res.status}${code ? `, ${code}` : ""})`;
        if (res.status === 429) {
          const wait = retryAfterMs(res.headers.get("retry-after")) ?? 60_000;
          const throttled = new MicrosoftApiError("throttled", 429, code ?? "TooManyRequests", describe("Microsoft throttled the request"), wait);
          throttles += 1;
          if (wait > (this.opts.maxRetryAfterMs ?? 120_000) || throttles > (this.opts.maxThrottledRetries ?? 10)) throw throttled;
          await this.sleep(wait + Math.random() * 250);
          continue;
        }
        if (res.status === 401 && !freshToken) {
          // A token can be revoked or rotated before its expiry: one retry with a new one.
          freshToken = true;
          continue;
        }
        if (res.status === 401) throw new MicrosoftApiError("unauthorized", 401, code ?? "Unauthorized", describe("Microsoft refused the token"));
        if (res.status === 403) throw new MicrosoftApiError("forbidden", 403, code ?? "Forbidden", describe("The app lacks the permission for this API"));
        if (res.status === 404) throw new MicrosoftApiError("not_found", 404, code ?? "NotFound", describe("Not found"));
        if (res.status >= 500) {
          await retryOrThrow(new MicrosoftApiError("server", res.status, code ?? "InternalServerError", describe("Microsoft had an internal error")));
          continue;
        }
        throw new MicrosoftApiError("bad_request", res.status, code ?? "BadRequest", describe("Microsoft rejected the request"));
      } finally {
        release?.();
      }
    }
  }

  /** Jittered exponential backoff: 0.5 s, 1 s, 2 s, ... capped at 15 s. */
  private backoff(attempt: number): Promise<void> {
    const base = Math.min(15_000, 500 * 2 ** (attempt - 1));
    return this.sleep(base / 2 + Math.random() * (base / 2));
  }

  /** A nextLink must stay on the API's own host: a tampered link must not receive the tenant's token. */
  private assertSameOrigin(api: MicrosoftApi, target: TenantTarget, url: string) {
    const expected = new URL(this.url(api, target, "/"));
    const actual = new URL(url);
    const prefix = expected.pathname.replace(/\/$/, "");
    if (actual.origin !== expected.origin || (prefix && !actual.pathname.startsWith(`${prefix}/`))) {
      throw new MicrosoftApiError("bad_request", null, "foreign_next_link", "A paging link pointed away from Microsoft's API host.");
    }
  }
}
