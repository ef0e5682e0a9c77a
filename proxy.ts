import { NextResponse, type NextRequest } from "next/server";
import { newNonce, pageCsp } from "./lib/security/csp.ts";
import { hstsHeader } from "./lib/security/hsts.ts";
import type { AnonymousRouteClass } from "./lib/data/rate-limit.ts";
import { isSafeRequestId, REQUEST_ID_HEADER } from "./lib/ops/request-id.ts";
import { SOCKET_ADDRESS_HEADER } from "./lib/security/client-address.ts";

/** The anonymous pages limited per client here (the consent callback, a route handler, limits itself first). */
function anonymousPage(pathname: string): AnonymousRouteClass | null {
  if (pathname.startsWith("/onboard/")) return "onboarding";
  if (pathname.startsWith("/consent/outcome/")) return "outcome";
  return null;
}

/**
 * A fresh CSP nonce for every page: Next.js reads the policy from the request headers and puts the nonce on the
 * scripts it renders; the browser gets the same policy on the response. Route handlers get a policy that allows
 * nothing from next.config.js. HSTS is decided here, at run time, because next.config.js headers are fixed at build.
 */
/**
 * The request id: scripts/serve.mjs chose it (from a trusted proxy, or new) before the request reached Next; without
 * serve.mjs in front (next dev, plain next start: no socket stamp) a client's header is not believed and one is made.
 */
function requestIdOf(request: NextRequest): string {
  const incoming = request.headers.get(REQUEST_ID_HEADER);
  return request.headers.has(SOCKET_ADDRESS_HEADER) && isSafeRequestId(incoming) ? incoming : crypto.randomUUID();
}

export async function proxy(request: NextRequest) {
  const hsts = hstsHeader(process.env.NEXTAUTH_URL);
  const requestId = requestIdOf(request);
  if (request.nextUrl.pathname.startsWith("/api/")) {
    const headers = new Headers(request.headers);
    headers.set(REQUEST_ID_HEADER, requestId);
    const response = NextResponse.next({ request: { headers } });
    if (hsts) response.headers.set("strict-transport-security", hsts);
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  }
  const anonymous = anonymousPage(request.nextUrl.pathname);
  if (anonymous) {
    // Loaded on the first anonymous page only: every other request through the proxy stays free of the database.
    const { anonymousRateLimit } = await import("./lib/data/rate-limit.ts");
    const limited = await anonymousRateLimit(request.headers, anonymous);
    if (limited) {
      if (hsts) limited.headers.set("strict-transport-security", hsts);
      limited.headers.set(REQUEST_ID_HEADER, requestId);
      return limited;
    }
  }
  const csp = pageCsp(newNonce(), { dev: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", csp);
  headers.set(REQUEST_ID_HEADER, requestId);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  if (hsts) response.headers.set("strict-transport-security", hsts);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not route handlers, not static files, not link prefetches (no document is rendered from those).
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
    // The anonymous pages are limited whatever headers a client sends (a "prefetch" header must not skip the limit).
    "/onboard/:path*",
    "/consent/outcome/:path*",
    // Route handlers: HSTS only (their CSP comes from next.config.js).
    "/api/:path*",
  ],
};
