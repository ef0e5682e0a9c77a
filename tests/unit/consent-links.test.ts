import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_REQUIRED_PERMISSIONS, requiredPermissionsSchema } from "../../lib/config/permissions.ts";
import { adminConsentUrl, legacyConsentUrl } from "../../lib/consent/links.ts";
import { deriveState, hashState, looksLikeState, stateMatches } from "../../lib/consent/state.ts";

describe("consent state", () => {
  test("is derived from the request id under the secret, 43 url-safe chars, and stored only as a hash", () => {
    const s = deriveState("a".repeat(32), "req-1");
    assert.ok(looksLikeState(s));
    assert.notEqual(s, deriveState("b".repeat(32), "req-1"), "another secret gives another state");
    assert.notEqual(s, deriveState("a".repeat(32), "req-2"));
    assert.equal(hashState(s).length, 64);
    assert.notEqual(hashState(s), s);
    assert.ok(stateMatches("a".repeat(32), "req-1", s));
    assert.ok(!stateMatches("a".repeat(32), "req-1", s.slice(1) + "A"));
  });
  test("rejects oversized and odd values before any lookup", () => {
    assert.ok(!looksLikeState("x".repeat(10_000)));
    assert.ok(!looksLikeState("<script>alert(1)</script>"));
    assert.ok(!looksLikeState(""));
  });
});

describe("consent links", () => {
  test("v2 admin consent URL carries exactly client_id, scope, redirect_uri, state", () => {
    const url = new URL(
      adminConsentUrl({
        authorityHost: "https://login.microsoftonline.com",
        tenant: null,
        clientId: "cid",
        redirectUri: "https://p/consent/callback",
        state: "st",
        permissions: DEFAULT_REQUIRED_PERMISSIONS,
      }),
    );
    assert.equal(url.pathname, "/organizations/v2.0/adminconsent");
    assert.deepEqual([...url.searchParams.keys()], ["client_id", "scope", "redirect_uri", "state"]);
    assert.equal(
      url.searchParams.get("scope"),
      "https://api.security.microsoft.com/Incident.Read.All https://api.securitycenter.microsoft.com/Alert.Read.All https://graph.microsoft.com/SecurityIncident.Read.All https://graph.microsoft.com/SecurityAlert.Read.All",
    );
  });
  test("names the customer's tenant when known", () => {
    const url = new URL(
      adminConsentUrl({
        authorityHost: "https://h",
        tenant: "fabrikam.com",
        clientId: "c",
        redirectUri: "r",
        state: "s",
        permissions: DEFAULT_REQUIRED_PERMISSIONS,
      }),
    );
    assert.equal(url.pathname, "/fabrikam.com/v2.0/adminconsent");
  });
  test("legacy link is the one in Microsoft's partner docs", () => {
    assert.equal(
      legacyConsentUrl({ authorityHost: "https://login.microsoftonline.com", clientId: "abc" }),
      "https://login.microsoftonline.com/common/oauth2/authorize?prompt=consent&client_id=abc&response_type=code&sso_reload=true",
    );
  });
});

describe("REQUIRED_PERMISSIONS", () => {
  test("parses api:Permission pairs", () => {
    const r = requiredPermissionsSchema.parse("defenderXdr:Incident.ReadWrite.All, graph:SecurityAlert.Read.All");
    assert.deepEqual(
      r.map((p) => [p.resource, p.permission]),
      [
        ["https://api.security.microsoft.com", "Incident.ReadWrite.All"],
        ["https://graph.microsoft.com", "SecurityAlert.Read.All"],
      ],
    );
  });
  test("explains a bad entry", () => {
    const r = requiredPermissionsSchema.safeParse("xdr:Incident.Read.All");
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /api one of defenderXdr, mde, graph/);
  });
});
