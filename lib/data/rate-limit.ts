import { serverConfig } from "../config/env.ts";
import { db, type PrismaClient } from "../db/client.ts";
import { clientAddress, UNKNOWN_CLIENT } from "../security/client-address.ts";

/**
 * A per-client limit on the anonymous routes (issue #9 §4): the consent callback, the onboarding page and the consent
 * outcome page answer anyone, so one client must not be able to make them work (or write) without bound. Counters
 * live in PostgreSQL, one row per client key and minute, counted by one atomic upsert per request: the limit holds
 * across web instances. Over the limit a request gets 429 with Retry-After and nothing is written but the counter.
 */
export type AnonymousRouteClass = "callback" | "onboarding" | "outcome";

const WINDOW_MS = 60_000;
/** Windows older than this are deleted now and then (and by the worker's daily purge). */
const KEEP_WINDOWS_MS = 5 * WINDOW_MS;

export interface RateLimitDecision {
  allowed: boolean;
  count: number;
  limit: number;
  /** Seconds until the current window ends (Retry-After). */
  retryAfterSeconds: number;
}

/** Counts one request for `key` in the current minute and says whether it is within `limit`. */
export async function countRequest(prisma: PrismaClient, key: string, limit: number, now = new Date()): Promise<RateLimitDecision> {
  const windowStart = new Date(Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS);
  const rows = await prisma.$queryRaw<{ count: number }[]>`
    INSERT INTO "RateLimitWindow" ("key", "windowStart", "count") VALUES (${key}, ${windowStart}, 1)
    ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
    RETURNING "count"`;
  const count = Number(rows[0]?.count ?? 1);
  // A new window is the moment to sweep old ones, now and then: no timer needed in the web process.
  if (count === 1 && Math.random() < 0.02) await purgeRateLimitWindows(prisma, now).catch(() => {});
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + WINDOW_MS - now.getTime()) / 1000));
  return { allowed: count <= limit, count, limit, retryAfterSeconds };
}

/** Deletes counter windows that can no longer decide anything. */
export async function purgeRateLimitWindows(prisma: PrismaClient, now = new Date()): Promise<number> {
  const r = await prisma.rateLimitWindow.deleteMany({ where: { windowStart: { lt: new Date(now.getTime() - KEEP_WINDOWS_MS) } } });
  return r.count;
}

/** The 429 answer: a plain page, no script, nothing cached. */
export function tooManyRequests(decision: RateLimitDecision): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Too many requests</title></head><body><main><h1>Too many requests</h1><p>This address sent more than ${decision.limit} requests in a minute. Wait ${decision.retryAfterSeconds} seconds and try again.</p></main></body></html>`;
  return new Response(body, {
    status: 429,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "retry-after": String(decision.retryAfterSeconds),
      "cache-control": "no-store",
      "content-security-policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
  });
}

let warnedUnstamped = false;

/**
 * The anonymous routes call this first: null to go on, or the 429 response to return. The client is the socket
 * address unless TRUSTED_PROXIES says whose X-Forwarded-For to believe (lib/security/client-address.ts).
 */
export async function anonymousRateLimit(headers: Headers, routeClass: AnonymousRouteClass): Promise<Response | null> {
  const cfg = serverConfig();
  const client = clientAddress(headers, cfg.trustedProxies);
  if (client === UNKNOWN_CLIENT && !warnedUnstamped) {
    warnedUnstamped = true;
    // Every client then shares one budget: safe (nothing is believed from the client), but too tight for real use.
    console.warn("anonymous rate limit: requests carry no socket address; run the portal with `node scripts/serve.mjs` (npm run serve), not `next start`.");
  }
  const decision = await countRequest(db(), `${routeClass}:${client}`, cfg.anonRateLimitPerMinute);
  return decision.allowed ? null : tooManyRequests(decision);
}
