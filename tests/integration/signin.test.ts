import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { createMigratedDatabase } from "../support/db.ts";

/** The portal's own sign-in decision (behind Entra's): tenant check, roles from app roles, bootstrap. */
const partnerTenantId = randomUUID();
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let users: typeof import("../../lib/data/users.ts");
let prisma: import("../../lib/db/client.ts").PrismaClient;

before(async () => {
  database = await createMigratedDatabase("signin");
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    NEXTAUTH_URL: "http://localhost:3999",
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    ENTRA_PARTNER_TENANT_ID: partnerTenantId,
    ENTRA_CLIENT_ID: randomUUID(),
    ENTRA_CLIENT_SECRET: "unused-here",
    BOOTSTRAP_ADMIN_EMAIL: "first@partner.example",
  });
  users = await import("../../lib/data/users.ts");
  prisma = (await import("../../lib/db/client.ts")).db();
});
after(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

const claims = (over: Record<string, unknown> = {}) => ({
  tid: partnerTenantId,
  oid: randomUUID(),
  name: "P",
  preferred_username: "p@partner.example",
  ...over,
});

test("an id token from any other tenant is refused, logged, and creates no user", async () => {
  const before = await prisma.portalUser.count();
  const d = await users.recordSignIn(claims({ tid: randomUUID(), roles: ["Portal.Admin"] }));
  assert.deepEqual(d, { allowed: false, reason: "wrong_tenant" });
  assert.equal(await prisma.portalUser.count(), before);
  assert.equal(await prisma.auditEntry.count({ where: { action: "signin.refused" } }), 1);
});

test("malformed claims are refused", async () => {
  assert.deepEqual(await users.recordSignIn({ tid: partnerTenantId }), { allowed: false, reason: "bad_claims" });
  assert.deepEqual(await users.recordSignIn(null), { allowed: false, reason: "bad_claims" });
});

test("bootstrap admin while no admin exists; then app roles decide; a withdrawn app role ends access", async () => {
  const first = await users.recordSignIn(claims({ preferred_username: "First@Partner.Example" }));
  assert.equal(first.allowed && first.role, "ADMIN");
  const noRole = await users.recordSignIn(claims({ preferred_username: "someone@partner.example" }));
  assert.deepEqual(noRole, { allowed: false, reason: "no_role" });
  const oid = randomUUID();
  assert.equal((await users.recordSignIn(claims({ oid, roles: ["Portal.Analyst"] }))).allowed, true);
  assert.equal((await users.loadPortalUser(oid))?.role, "ANALYST");
  assert.deepEqual(await users.recordSignIn(claims({ oid, roles: [] })), { allowed: false, reason: "no_role" });
  assert.equal((await users.loadPortalUser(oid))?.role, null);
});

test("the Responder capability: the Entra app role is re-read at every sign-in, a partner admin's grant is kept apart", async () => {
  const oid = randomUUID();
  const responder = async () => {
    const { responderGranted } = await import("../../lib/auth/viewer.ts");
    return responderGranted(await prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: oid } }));
  };
  // Portal.Responder alone is no role: nobody gets in with it.
  assert.deepEqual(await users.recordSignIn(claims({ oid, roles: ["Portal.Responder"] })), { allowed: false, reason: "no_role" });
  assert.equal((await users.recordSignIn(claims({ oid, roles: ["Portal.Analyst", "Portal.Responder"] }))).allowed, true);
  assert.equal(await responder(), true);
  // The token stops carrying it (removed in Entra): withdrawn at that sign-in (or role refresh), audited.
  assert.equal((await users.recordSignIn(claims({ oid, roles: ["Portal.Analyst"] }))).allowed, true);
  assert.equal(await responder(), false);
  const row = await prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: oid } });
  assert.ok(await prisma.auditEntry.findFirst({ where: { action: "user.responder.entra_withdrawn", actor: `user:${row.id}` } }));
  // A grant given in the portal survives sign-ins without the app role: either source grants.
  await prisma.portalUser.update({ where: { id: row.id }, data: { responderGrantedAt: new Date() } });
  assert.equal((await users.recordSignIn(claims({ oid, roles: ["Portal.Analyst"] }))).allowed, true);
  assert.equal(await responder(), true);
});
