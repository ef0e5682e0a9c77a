import assert from "node:assert/strict";
import { test } from "node:test";
import { AccessDeniedError } from "../../lib/auth/viewer.ts";
import { ConfigError } from "../../lib/config/env.ts";
import { MigrationError } from "../../lib/db/migrate.ts";
import { AppError, isAppError } from "../../lib/errors.ts";
import { MicrosoftApiError } from "../../lib/microsoft/api-client.ts";
import { MicrosoftPayloadError } from "../../lib/microsoft/schemas/parse.ts";
import { TokenAcquisitionError } from "../../lib/microsoft/token-client.ts";
import { failure } from "../../lib/result.ts";

const expected = [
  { error: new AccessDeniedError(), name: "AccessDeniedError", code: "access_denied", status: 403 },
  { error: new ConfigError(["ENTRA_CLIENT_ID: must be a GUID"]), name: "ConfigError", code: "config_incomplete", status: 500 },
  { error: new MigrationError("Migration x failed"), name: "MigrationError", code: "migration_failed", status: 500 },
  { error: new MicrosoftApiError("forbidden", 403, "Forbidden", "The app lacks the permission"), name: "MicrosoftApiError", code: "Forbidden", status: 502 },
  {
    error: new MicrosoftPayloadError("Defender XDR incident list", [{ path: "(root)", message: "expected object" }]),
    name: "MicrosoftPayloadError",
    code: "microsoft_payload_invalid",
    status: 502,
  },
  { error: new TokenAcquisitionError("not_consented", "AADSTS700016", "Not consented"), name: "TokenAcquisitionError", code: "AADSTS700016", status: 502 },
];

test("every expected error is an AppError with a stable code, an HTTP status and its own name", () => {
  for (const { error, name, code, status } of expected) {
    assert.ok(error instanceof AppError, name);
    assert.ok(error instanceof Error, name);
    assert.ok(isAppError(error), name);
    assert.equal(error.name, name);
    assert.equal(error.code, code, name);
    assert.equal(error.status, status, name);
  }
  // Microsoft's own status stays apart from the portal's answer.
  assert.equal((expected[3]!.error as MicrosoftApiError).httpStatus, 403);
});

test("instanceof answers by name, so another bundle's copy of a class is recognised, and classes are not confused", () => {
  // What a second copy of the module (another Next layer) would throw: a different class with the same name.
  class AccessDeniedErrorCopy extends Error {
    override name = "AccessDeniedError";
  }
  assert.ok(new AccessDeniedErrorCopy("x") instanceof AccessDeniedError);
  assert.ok(!(new AccessDeniedError() instanceof MicrosoftApiError));
  assert.ok(!(new ConfigError(["x"]) instanceof MigrationError));
  assert.ok(!(new Error("plain") instanceof AccessDeniedError));
});

test("an AppError thrown by another copy of lib/errors is still an AppError; look-alikes are not", () => {
  const copy = Object.assign(new Error("from another bundle"), { code: "x", status: 400, [Symbol.for("defender-partner-portal.AppError")]: true });
  assert.ok(isAppError(copy));
  assert.ok(copy instanceof AppError);
  // A Prisma or pg error carries a code too: it is unexpected, not something to show people.
  const prismaLike = Object.assign(new Error("Unique constraint failed"), { code: "P2002", status: 500 });
  assert.ok(!isAppError(prismaLike));
  assert.ok(!(prismaLike instanceof AppError));
  assert.ok(!isAppError({ message: "x", code: "x", status: 400 }));
});

test("failure() is a Result not tied to a field", () => {
  assert.deepEqual(failure("Customer not found.", "not_found"), { ok: false, fieldErrors: {}, formError: "Customer not found.", code: "not_found" });
  assert.deepEqual(failure("No code."), { ok: false, fieldErrors: {}, formError: "No code." });
});
