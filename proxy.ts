import { NextResponse, type NextRequest } from "next/server";
import { newNonce, pageCsp } from "./lib/security/csp.ts";

/**
 * A fresh CSP nonce for every page: Next.js reads the policy from the request headers and puts the nonce on the
 * scripts it renders; the browser gets the same policy on the response. Route handlers get a policy that allows
 * nothing from next.config.js.
 */
export function proxy(request: NextRequest) {
  const csp = pageCsp(newNonce(), { dev: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
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
  ],
};
