import assert from "node:assert/strict";
import { test } from "node:test";
import { parseServerConfig } from "../../lib/config/env.ts";
import { authOptions } from "../../lib/auth/options.ts";

const base = {
  DATABASE_URL: "postgresql://u:p@localhost/db",
  NEXTAUTH_SECRET: "x".repeat(40),
  ENTRA_PARTNER_TENANT_ID: "11111111-1111-4111-8111-111111111111",
  ENTRA_CLIENT_ID: "22222222-2222-4222-8222-222222222222",
  ENTRA_CLIENT_SECRET: "s",
};

test("session cookies are Secure (__Secure- prefixed by next-auth) whenever the portal is served over https", () => {
  assert.equal(authOptions(parseServerConfig({ ...base, NEXTAUTH_URL: "https://portal.example.com" })).useSecureCookies, true);
  // Plain http only makes sense on localhost (the demo and the tests); browsers drop Secure cookies there.
  assert.equal(authOptions(parseServerConfig({ ...base, NEXTAUTH_URL: "http://localhost:3000" })).useSecureCookies, false);
});

test("the session cookie is a JWT pointer to a server-side session and never outlives its absolute lifetime", () => {
  const opts = authOptions(parseServerConfig({ ...base, NEXTAUTH_URL: "https://portal.example.com" }));
  assert.equal(opts.session?.strategy, "jwt");
  assert.equal(opts.session?.maxAge, 12 * 60 * 60);
  assert.equal(authOptions(parseServerConfig({ ...base, NEXTAUTH_URL: "https://portal.example.com", SESSION_MAX_HOURS: "8" })).session?.maxAge, 8 * 60 * 60);
  assert.equal(typeof opts.events?.signOut, "function");
});

test("a portal URL on plain http outside localhost is refused at startup", () => {
  assert.throws(() => parseServerConfig({ ...base, NEXTAUTH_URL: "http://portal.example.com" }), /NEXTAUTH_URL: must use https/);
});
