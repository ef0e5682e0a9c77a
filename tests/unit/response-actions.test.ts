import assert from "node:assert/strict";
import { test } from "node:test";
import { can, type Viewer } from "../../lib/auth/viewer.ts";
import { capabilityRoles, findUpgradeCapability } from "../../lib/config/capabilities.ts";
import { MICROSOFT_APIS, qualifiedRole } from "../../lib/config/permissions.ts";
import { isFinalStatus, RESPONSE_ACTIONS } from "../../lib/config/response-actions.ts";

const partnerId = "p1";
const admin: Viewer = { userId: "u1", partnerId, name: "A", email: "a@x", role: "ADMIN", customerScope: "all" };
const analyst: Viewer = { userId: "u2", partnerId, name: "B", email: "b@x", role: "ANALYST", customerScope: ["c1"] };
const responder: Viewer = { ...analyst, userId: "u3", responder: true };

test("devices:respond: admins by role, analysts only with the Responder capability and only on their customers", () => {
  assert.equal(can(admin, "devices:respond", { id: "c9", partnerId }), true);
  assert.equal(can(analyst, "devices:respond"), false, "an analyst without Responder");
  assert.equal(can(analyst, "devices:respond", { id: "c1", partnerId }), false);
  assert.equal(can({ ...analyst, responder: false }, "devices:respond", { id: "c1", partnerId }), false);
  assert.equal(can(responder, "devices:respond", { id: "c1", partnerId }), true);
  assert.equal(can(responder, "devices:respond", { id: "c2", partnerId }), false);
  assert.equal(can(responder, "devices:respond", { id: "c1", partnerId: "other" }), false);
  assert.equal(can(null, "devices:respond"), false);
  // The capability adds devices:respond and nothing else.
  for (const action of ["customers:onboard", "customers:assign", "users:manage", "notifications:manage", "settings:read", "audit:read"] as const) {
    assert.equal(can(responder, action), false, action);
  }
});

test("each action names its documented endpoint segment, machineAction type and application permission", () => {
  assert.deepEqual(
    Object.values(RESPONSE_ACTIONS).map((a) => [a.segment, a.type, a.permission]),
    [
      ["isolate", "Isolate", "Machine.Isolate"],
      ["unisolate", "Unisolate", "Machine.Isolate"],
      ["runAntiVirusScan", "RunAntiVirusScan", "Machine.Scan"],
      ["collectInvestigationPackage", "CollectInvestigationPackage", "Machine.CollectForensics"],
    ],
  );
  // Every permission an action needs is asked for by the `response` capability's additional-permissions link.
  const asked = capabilityRoles(findUpgradeCapability("response")!);
  for (const a of Object.values(RESPONSE_ACTIONS)) assert.ok(asked.includes(qualifiedRole(MICROSOFT_APIS.mde.resource, a.permission)), a.permission);
});

test("final statuses: Microsoft's ends and the portal's own (never polled again, never resent)", () => {
  for (const s of ["Succeeded", "Failed", "TimeOut", "Cancelled", "NotSent", "Unconfirmed"]) assert.equal(isFinalStatus(s), true, s);
  for (const s of ["Pending", "InProgress", "Sending"]) assert.equal(isFinalStatus(s), false, s);
});
