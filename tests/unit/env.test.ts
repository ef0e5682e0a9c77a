import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseServerConfig } from "../../lib/config/env.ts";

const base = {
  DATABASE_URL: "postgresql://u:p@localhost/db",
  NEXTAUTH_URL: "http://localhost:3000",
  NEXTAUTH_SECRET: "x".repeat(40),
  ENTRA_PARTNER_TENANT_ID: "11111111-1111-4111-8111-111111111111",
  ENTRA_CLIENT_ID: "22222222-2222-4222-8222-222222222222",
};

test("a complete config parses with defaults", () => {
  const cfg = parseServerConfig({ ...base, ENTRA_CLIENT_SECRET: "s" });
  assert.equal(cfg.authorityHost, "https://login.microsoftonline.com");
  assert.equal(cfg.consentLinkTtlHours, 168);
  assert.equal(cfg.credential.kind, "secret");
  assert.equal(cfg.requiredPermissions.length, 4);
});

test("missing values are named with what to set, and secrets are not echoed", () => {
  try {
    parseServerConfig({ ...base, ENTRA_CLIENT_ID: "nope", NEXTAUTH_SECRET: "short-secret-value" });
    assert.fail("expected ConfigError");
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /ENTRA_CLIENT_ID: must be a GUID/);
    assert.match(err.message, /NEXTAUTH_SECRET: must be at least 32/);
    assert.match(err.message, /ENTRA_CLIENT_SECRET: set a client credential/);
    assert.doesNotMatch(err.message, /short-secret-value/);
  }
});

test("a certificate needs both the key file and the thumbprint; an unreadable file is named, not dumped", () => {
  assert.throws(() => parseServerConfig({ ...base, ENTRA_CLIENT_CERTIFICATE_KEY_FILE: "/x" }), /needs both/);
  assert.throws(
    () => parseServerConfig({ ...base, ENTRA_CLIENT_CERTIFICATE_KEY_FILE: "/nonexistent/key.pem", ENTRA_CLIENT_CERTIFICATE_THUMBPRINT_SHA256: "a".repeat(64) }),
    /cannot read \/nonexistent\/key.pem \(ENOENT\)/,
  );
});
