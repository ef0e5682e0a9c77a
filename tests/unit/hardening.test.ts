import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, test } from "node:test";
import { NextRequest } from "next/server";
import { parseServerConfig } from "../../lib/config/env.ts";
import { expectedDigest, parseExpectedDigest, AppError } from "../../lib/errors.ts";
import { AccessDeniedError } from "../../lib/auth/viewer.ts";
import { likeLiteral } from "../../lib/data/like.ts";
import { siemQuerySchema } from "../../lib/data/siem.ts";
import { MicrosoftApiClient, MicrosoftApiError } from "../../lib/microsoft/api-client.ts";
import type { TenantTokenClient } from "../../lib/microsoft/token-client.ts";
import { HSTS_VALUE, hstsHeader } from "../../lib/security/hsts.ts";
import { proxy } from "../../proxy.ts";

/** Issue #9 §4, §5: settings, HSTS, body caps, LIKE escaping, SIEM limit, error digests. */
const base = {
  DATABASE_URL: "postgresql://u:p@localhost/db",
  NEXTAUTH_URL: "http://localhost:3000",
  NEXTAUTH_SECRET: "x".repeat(40),
  ENTRA_PARTNER_TENANT_ID: "11111111-1111-4111-8111-111111111111",
  ENTRA_CLIENT_ID: "22222222-2222-4222-8222-222222222222",
  ENTRA_CLIENT_SECRET: "s",
};

test("hardening settings have documented defaults and reject nonsense with the variable named", () => {
  const cfg = parseServerConfig(base);
  assert.equal(cfg.anonRateLimitPerMinute, 30);
  assert.equal(cfg.trustedProxies, null);
  assert.equal(cfg.retentionDays, 400);
  assert.equal(cfg.siemMaxLimit, 10_000);
  assert.equal(cfg.microsoftMaxResponseBytes, 32 * 1024 * 1024);
  assert.equal(cfg.liveRefreshTimeoutMs, 4_000);
  assert.deepEqual(parseServerConfig({ ...base, TRUSTED_PROXIES: "10.0.0.0/8, ::1" }).trustedProxies?.entries, ["10.0.0.0/8", "::1"]);
  assert.throws(
    () => parseServerConfig({ ...base, TRUSTED_PROXIES: "10.0.0.0/8, lb.internal" }),
    /TRUSTED_PROXIES: "lb.internal" is not an IP address or CIDR/,
  );
  assert.throws(() => parseServerConfig({ ...base, ANON_RATE_LIMIT_PER_MINUTE: "0" }), /ANON_RATE_LIMIT_PER_MINUTE/);
  assert.throws(() => parseServerConfig({ ...base, RETENTION_DAYS: "forever" }), /RETENTION_DAYS/);
});

test("HSTS only when the portal is served over https, on pages and route handlers", async () => {
  assert.equal(hstsHeader("https://portal.example.com"), HSTS_VALUE);
  assert.equal(HSTS_VALUE, "max-age=31536000; includeSubDomains");
  assert.equal(hstsHeader("http://localhost:3000"), null);
  const saved = process.env.NEXTAUTH_URL;
  try {
    for (const [url, expected] of [
      ["https://portal.example.com", HSTS_VALUE],
      ["http://localhost:3000", null],
    ] as const) {
      process.env.NEXTAUTH_URL = url;
      for (const path of ["/overview", "/api/incidents/export"]) {
        const res = await proxy(new NextRequest(`http://localhost:3000${path}`));
        assert.equal(res.headers.get("strict-transport-security"), expected, `${url} ${path}`);
      }
    }
  } finally {
    process.env.NEXTAUTH_URL = saved;
  }
});

test("LIKE patterns: %, _ and \\ are escaped; other text passes as is", () => {
  assert.equal(likeLiteral("100%"), "100\\%");
  assert.equal(likeLiteral("a_b"), "a\\_b");
  assert.equal(likeLiteral("C:\\temp"), "C:\\\\temp");
  assert.equal(likeLiteral("plain text"), "plain text");
});

test("the SIEM limit is capped by SIEM_MAX_LIMIT with a message that says the cap", () => {
  const schema = siemQuerySchema(500);
  assert.equal(schema.parse({ limit: "500" }).limit, 500);
  const r = schema.safeParse({ limit: "501" });
  assert.equal(r.success, false);
  assert.match(r.error!.issues[0]!.message, /Between 1 and 500 detections/);
  assert.equal(schema.safeParse({ limit: "0" }).success, false);
});

test("expected errors carry a digest naming their kind and code (what a production error page can show)", () => {
  assert.deepEqual(parseExpectedDigest(new AccessDeniedError().digest), { kind: "access_denied", code: "access_denied" });
  assert.deepEqual(parseExpectedDigest(new AppError("x", "not_found", 404).digest), { kind: "app", code: "not_found" });
  const ms = new MicrosoftApiError("forbidden", 403, "Forbidden <script>", "The app lacks the permission");
  assert.deepEqual(parseExpectedDigest(ms.digest), { kind: "microsoft", code: "Forbiddenscript" });
  assert.equal(parseExpectedDigest("12345"), null, "an ordinary digest is not an expected error");
  assert.equal(parseExpectedDigest(`${expectedDigest("app", "x")} extra`), null);
});

// --- Microsoft response bodies are capped -------------------------------------------------------------------------
let server: Server;
let baseUrl: string;
before(async () => {
  server = createServer((req, res) => {
    const big = JSON.stringify({ value: "x".repeat(200_000) });
    if (req.url?.endsWith("/api/declared")) {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(big)) });
      res.end(big);
    } else if (req.url?.endsWith("/api/streamed")) {
      // No Content-Length: the client must count as it reads, and stop.
      res.writeHead(200, { "content-type": "application/json" });
      for (let i = 0; i < 50; i++) res.write("x".repeat(10_000));
      res.end();
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

test("a Microsoft answer beyond MICROSOFT_MAX_RESPONSE_BYTES is refused with a clear error, declared or streamed", async () => {
  const tokens = {
    acquire: async () => ({ accessToken: "t", tenantId: "x", roles: [], expiresOn: new Date(Date.now() + 3_600_000) }),
  } as unknown as TenantTokenClient;
  const client = new MicrosoftApiClient({ tokens, baseUrl, sleep: async () => {}, maxAttempts: 3, maxResponseBytes: 100_000 });
  const target = { tenantId: "00000000-0000-4000-8000-000000000001", region: null };
  for (const path of ["/api/declared", "/api/streamed"]) {
    await assert.rejects(client.getJson("xdr", target, path), (err: unknown) => {
      assert.ok(err instanceof MicrosoftApiError);
      assert.equal(err.kind, "too_large");
      assert.match(err.message, /larger than 98 KiB \(MICROSOFT_MAX_RESPONSE_BYTES\)/);
      return true;
    });
  }
  assert.deepEqual(await client.getJson("xdr", target, "/api/small"), { ok: true });
});
