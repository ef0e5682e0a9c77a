import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decideSession, summarizeUserAgent, TOUCH_INTERVAL_MS, type StoredSession } from "../../lib/auth/session-policy.ts";
import { parseServerConfig } from "../../lib/config/env.ts";

const policy = { maxAgeMs: 12 * 3_600_000, idleMs: 60 * 60_000, roleRefreshMs: 60 * 60_000 };
const start = new Date("2026-12-01T08:00:00Z");
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
const session = (over: Partial<StoredSession> = {}): StoredSession => ({
  lastSeenAt: start,
  absoluteExpiresAt: at(12 * 60),
  roleCheckedAt: start,
  endedAt: null,
  endedReason: null,
  user: { disabledAt: null, role: "ANALYST" },
  ...over,
});

describe("decideSession (the clock is a parameter)", () => {
  test("a fresh session is valid and records activity at most once a minute", () => {
    assert.deepEqual(decideSession(session(), at(0.5), policy), { valid: true, touch: false });
    assert.deepEqual(decideSession(session(), new Date(start.getTime() + TOUCH_INTERVAL_MS), policy), { valid: true, touch: true });
  });

  test("idle timeout: 59 minutes without activity is fine, 60 ends it", () => {
    const s = session({ roleCheckedAt: at(0), lastSeenAt: at(0) });
    assert.equal(decideSession(s, at(59), policy).valid, true);
    assert.deepEqual(decideSession(s, at(60), policy), { valid: false, reason: "idle", end: true });
  });

  test("absolute lifetime: an active session still ends 12 hours after sign-in", () => {
    // Active a minute ago and its role freshly checked: only the absolute limit applies.
    const s = session({ lastSeenAt: at(12 * 60 - 1), roleCheckedAt: at(12 * 60 - 1) });
    assert.equal(decideSession(s, at(12 * 60 - 0.5), policy).valid, true);
    assert.deepEqual(decideSession(s, at(12 * 60), policy), { valid: false, reason: "expired", end: true });
  });

  test("a role read from Entra longer ago than ROLE_REFRESH_MINUTES must be read again", () => {
    const s = session({ lastSeenAt: at(59), roleCheckedAt: start });
    assert.equal(decideSession(s, at(59.5), policy).valid, true);
    assert.deepEqual(decideSession(s, at(60), policy), { valid: false, reason: "role_refresh", end: true });
  });

  test("an ended session stays ended with its reason, whatever the clock says", () => {
    assert.deepEqual(decideSession(session({ endedAt: start, endedReason: "signed_out" }), at(1), policy), { valid: false, reason: "signed_out", end: false });
    assert.deepEqual(decideSession(session({ endedAt: start, endedReason: null }), start, policy), { valid: false, reason: "signed_out", end: false });
  });

  test("a disabled user or a withdrawn role ends every session at once", () => {
    assert.deepEqual(decideSession(session({ user: { disabledAt: start, role: "ADMIN" } }), at(1), policy), { valid: false, reason: "disabled", end: true });
    assert.deepEqual(decideSession(session({ user: { disabledAt: null, role: null } }), at(1), policy), { valid: false, reason: "no_role", end: true });
  });
});

describe("session settings", () => {
  const base = {
    DATABASE_URL: "postgresql://u:p@localhost/db",
    NEXTAUTH_URL: "http://localhost:3000",
    NEXTAUTH_SECRET: "x".repeat(40),
    ENTRA_PARTNER_TENANT_ID: "11111111-1111-4111-8111-111111111111",
    ENTRA_CLIENT_ID: "22222222-2222-4222-8222-222222222222",
    ENTRA_CLIENT_SECRET: "s",
  };
  test("default to 12 h absolute, 60 min idle, 60 min role refresh; configurable", () => {
    assert.deepEqual(parseServerConfig(base).sessions, policy);
    const custom = parseServerConfig({ ...base, SESSION_MAX_HOURS: "8", SESSION_IDLE_MINUTES: "15", ROLE_REFRESH_MINUTES: "30" }).sessions;
    assert.deepEqual(custom, { maxAgeMs: 8 * 3_600_000, idleMs: 15 * 60_000, roleRefreshMs: 30 * 60_000 });
  });
  test("a role refresh beyond an hour is refused at startup (Entra changes must apply within an hour)", () => {
    assert.throws(() => parseServerConfig({ ...base, ROLE_REFRESH_MINUTES: "90" }), /ROLE_REFRESH_MINUTES: must be at most 60/);
  });
});

test("the device summary keeps the browser and OS only", () => {
  assert.equal(summarizeUserAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"), "Chrome on Linux");
  assert.equal(
    summarizeUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36 Edg/140.0"),
    "Edge on Windows",
  );
  assert.equal(summarizeUserAgent(null), null);
});
