import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { can, resolveSignInRole, responderGranted, type Viewer } from "../../lib/auth/viewer.ts";

const partnerId = "11111111-1111-4111-8111-111111111111";
const admin: Viewer = { userId: "u1", partnerId, name: "A", email: "a@x", role: "ADMIN", customerScope: "all" };
const analyst: Viewer = { userId: "u2", partnerId, name: "B", email: "b@x", role: "ANALYST", customerScope: ["c1"] };
const c1 = { id: "c1", partnerId };
const c2 = { id: "c2", partnerId };
const foreign = { id: "c1", partnerId: "22222222-2222-4222-8222-222222222222" };

describe("can()", () => {
  test("admin may onboard and read any customer of its partner", () => {
    assert.equal(can(admin, "customers:onboard"), true);
    assert.equal(can(admin, "customers:read", c2), true);
    assert.equal(can(admin, "settings:read"), true);
  });
  test("analyst reads only assigned customers and may not onboard or see settings", () => {
    assert.equal(can(analyst, "customers:read", c1), true);
    assert.equal(can(analyst, "customers:read", c2), false);
    assert.equal(can(analyst, "customers:onboard"), false);
    assert.equal(can(analyst, "customers:onboard", c1), false);
    assert.equal(can(analyst, "settings:read"), false);
  });
  test("nobody reaches another partner's customer, and no viewer means no access", () => {
    assert.equal(can(admin, "customers:read", foreign), false);
    assert.equal(can(null, "customers:read"), false);
  });
});

describe("the Responder capability", () => {
  test("granted by the Entra app role or the portal grant, either one; neither source needed by admins", () => {
    assert.equal(responderGranted({ responderFromEntra: false, responderGrantedAt: null }), false);
    assert.equal(responderGranted({ responderFromEntra: true, responderGrantedAt: null }), true);
    assert.equal(responderGranted({ responderFromEntra: false, responderGrantedAt: new Date() }), true);
    assert.equal(responderGranted({ responderFromEntra: true, responderGrantedAt: new Date() }), true);
    assert.equal(can(admin, "devices:respond", c2), true);
    assert.equal(can(analyst, "devices:respond", c1), false);
    assert.equal(can({ ...analyst, responder: true }, "devices:respond", c1), true);
    assert.equal(can({ ...analyst, responder: true }, "devices:respond", c2), false);
  });
  test("Portal.Responder alone is no portal role", () => {
    const base = { existing: null, email: "x@y", bootstrapAdminEmail: undefined, anyAdminExists: true };
    assert.deepEqual(resolveSignInRole({ ...base, tokenRoles: ["Portal.Responder"] }), { role: null, roleSource: null });
    assert.deepEqual(resolveSignInRole({ ...base, tokenRoles: ["Portal.Responder", "Portal.Analyst"] }), { role: "ANALYST", roleSource: "entra-app-role" });
  });
});

describe("resolveSignInRole()", () => {
  const base = { existing: null, email: "x@partner.com", bootstrapAdminEmail: undefined, anyAdminExists: true };
  test("Entra app roles decide, admin over analyst", () => {
    assert.deepEqual(resolveSignInRole({ ...base, tokenRoles: ["Portal.Analyst", "Portal.Admin"] }), { role: "ADMIN", roleSource: "entra-app-role" });
    assert.deepEqual(resolveSignInRole({ ...base, tokenRoles: ["Portal.Analyst"] }), { role: "ANALYST", roleSource: "entra-app-role" });
  });
  test("no app role and no record: no access; unknown roles are ignored", () => {
    assert.deepEqual(resolveSignInRole({ ...base, tokenRoles: ["Something.Else"] }), { role: null, roleSource: null });
  });
  test("a role that came from Entra is withdrawn when the token stops carrying it", () => {
    assert.deepEqual(resolveSignInRole({ ...base, tokenRoles: [], existing: { role: "ADMIN", roleSource: "entra-app-role" } }), {
      role: null,
      roleSource: null,
    });
  });
  test("bootstrap admin only while no admin exists, matched case-insensitively", () => {
    const b = { ...base, tokenRoles: [], email: "Boss@Partner.com", bootstrapAdminEmail: "boss@partner.com" };
    assert.deepEqual(resolveSignInRole({ ...b, anyAdminExists: false }), { role: "ADMIN", roleSource: "bootstrap" });
    assert.deepEqual(resolveSignInRole({ ...b, anyAdminExists: true }), { role: null, roleSource: null });
    assert.deepEqual(resolveSignInRole({ ...b, anyAdminExists: true, existing: { role: "ADMIN", roleSource: "bootstrap" } }), {
      role: "ADMIN",
      roleSource: "bootstrap",
    });
  });
});
