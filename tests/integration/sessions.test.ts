import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { createMigratedDatabase } from "../support/db.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";

/** Server-side sessions and Users & access against a real PostgreSQL; the clock is passed in (`now`). */
const partnerTenantId = randomUUID();
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let sessions: typeof import("../../lib/data/sessions.ts");
let staff: typeof import("../../lib/data/staff.ts");
let users: typeof import("../../lib/data/users.ts");
let prisma: import("../../lib/db/client.ts").PrismaClient;

before(async () => {
  database = await createMigratedDatabase("sessions");
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    NEXTAUTH_URL: "http://localhost:3999",
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    ENTRA_PARTNER_TENANT_ID: partnerTenantId,
    ENTRA_CLIENT_ID: randomUUID(),
    ENTRA_CLIENT_SECRET: "unused-here",
    SESSION_MAX_HOURS: "12",
    SESSION_IDLE_MINUTES: "60",
    ROLE_REFRESH_MINUTES: "60",
  });
  sessions = await import("../../lib/data/sessions.ts");
  staff = await import("../../lib/data/staff.ts");
  users = await import("../../lib/data/users.ts");
  prisma = (await import("../../lib/db/client.ts")).db();
});
after(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

const T0 = new Date("2026-12-01T08:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** A partner user who signed in through the real sign-in decision (id token claims). */
async function signedIn(role: "Portal.Admin" | "Portal.Analyst") {
  const oid = randomUUID();
  const d = await users.recordSignIn({
    tid: partnerTenantId,
    oid,
    name: `U ${oid.slice(0, 4)}`,
    preferred_username: `${oid.slice(0, 8)}@partner.example`,
    roles: [role],
  });
  assert.equal(d.allowed, true);
  const row = await prisma.portalUser.findUniqueOrThrow({ where: { entraObjectId: oid } });
  const viewer: Viewer = {
    userId: row.id,
    partnerId: row.partnerId,
    name: row.displayName,
    email: row.email,
    role: row.role!,
    customerScope: row.role === "ADMIN" ? "all" : [],
  };
  return { oid, id: row.id, viewer, claims: { tid: partnerTenantId, oid, preferred_username: row.email, roles: [role] } };
}

async function openSession(oid: string, now = T0) {
  return { sid: await sessions.startSession({ entraObjectId: oid, userAgent: "Chrome on Linux" }, now), oid };
}

describe("server-side sessions", () => {
  test("a session is valid until signed out; a copy of the cookie then stops working at once", async () => {
    const u = await signedIn("Portal.Analyst");
    const token = await openSession(u.oid);
    const ok = await sessions.resolveSession(token, { now: at(1) });
    assert.equal(ok.ok && ok.user.id, u.id);
    await sessions.endSessionFromToken(token, at(2));
    assert.deepEqual(await sessions.resolveSession(token, { now: at(3) }), { ok: false, reason: "signed_out" });
    assert.equal(await prisma.auditEntry.count({ where: { action: "signout", actor: `user:${u.id}` } }), 1);
    // Signing out twice (or with a stale cookie) writes nothing more.
    await sessions.endSessionFromToken(token, at(4));
    assert.equal(await prisma.auditEntry.count({ where: { action: "signout", actor: `user:${u.id}` } }), 1);
  });

  test("a session id only counts with the oid it was issued to; unknown ids are no session", async () => {
    const u = await signedIn("Portal.Analyst");
    const other = await signedIn("Portal.Analyst");
    const token = await openSession(u.oid);
    assert.deepEqual(await sessions.resolveSession({ sid: token.sid, oid: other.oid }, { now: at(1) }), { ok: false, reason: "unknown" });
    assert.deepEqual(await sessions.resolveSession({ sid: randomUUID(), oid: u.oid }, { now: at(1) }), { ok: false, reason: "unknown" });
    assert.deepEqual(await sessions.resolveSession({ oid: u.oid }, { now: at(1) }), { ok: false, reason: "unknown" });
  });

  test("idle timeout with an injected clock: activity keeps it alive, an hour without any ends it", async () => {
    const u = await signedIn("Portal.Analyst");
    const token = await openSession(u.oid);
    // Used every 30 minutes: still alive at 50 minutes (activity written at most once a minute).
    assert.equal((await sessions.resolveSession(token, { now: at(0.5) })).ok, true);
    assert.equal((await prisma.portalSession.findUniqueOrThrow({ where: { id: token.sid } })).lastSeenAt.getTime(), T0.getTime());
    assert.equal((await sessions.resolveSession(token, { now: at(30) })).ok, true);
    assert.equal((await prisma.portalSession.findUniqueOrThrow({ where: { id: token.sid } })).lastSeenAt.getTime(), at(30).getTime());
    assert.equal((await sessions.resolveSession(token, { now: at(50) })).ok, true);
    assert.deepEqual(await sessions.resolveSession(token, { now: at(111) }), { ok: false, reason: "idle" });
    const row = await prisma.portalSession.findUniqueOrThrow({ where: { id: token.sid } });
    assert.equal(row.endedReason, "idle");
    // Once ended, it stays ended even if the clock went back.
    assert.deepEqual(await sessions.resolveSession(token, { now: at(51) }), { ok: false, reason: "idle" });
  });

  test("absolute lifetime with an injected clock: ends 12 h after sign-in however active", async () => {
    const u = await signedIn("Portal.Analyst");
    const token = await openSession(u.oid);
    // Keep it active and its role fresh (as a re-read from Entra would) up to the limit.
    await prisma.portalSession.update({ where: { id: token.sid }, data: { roleCheckedAt: at(11 * 60 + 30) } });
    for (const m of [40, 80, 120, 180, 240, 300, 360, 420, 480, 540, 600, 660, 710]) {
      await prisma.portalSession.update({ where: { id: token.sid }, data: { lastSeenAt: at(m - 30) } });
      assert.equal((await sessions.resolveSession(token, { now: at(m) })).ok, true, `minute ${m}`);
    }
    assert.deepEqual(await sessions.resolveSession(token, { now: at(12 * 60) }), { ok: false, reason: "expired" });
  });

  test("a role read more than an hour ago is due for a refresh: the session ends with that reason", async () => {
    const u = await signedIn("Portal.Admin");
    const token = await openSession(u.oid);
    await prisma.portalSession.update({ where: { id: token.sid }, data: { lastSeenAt: at(55) } });
    assert.deepEqual(await sessions.resolveSession(token, { now: at(60) }), { ok: false, reason: "role_refresh" });
  });

  test("a withdrawn role (id token without the app role) ends open sessions", async () => {
    const u = await signedIn("Portal.Analyst");
    const token = await openSession(u.oid);
    assert.deepEqual(await users.recordSignIn({ ...u.claims, roles: [] }), { allowed: false, reason: "no_role" });
    assert.deepEqual(await sessions.resolveSession(token, { now: at(1) }), { ok: false, reason: "no_role" });
  });
});

describe("Users & access", () => {
  test("disable: every session ends at once, sign-in is refused with its reason, all audited; enable restores sign-in", async () => {
    const admin = await signedIn("Portal.Admin");
    const u = await signedIn("Portal.Analyst");
    const a = await openSession(u.oid);
    const b = await openSession(u.oid);
    const r = await staff.disableUser(admin.viewer, { userId: u.id }, at(5));
    assert.equal(r.ok && r.value.sessionsEnded, 2);
    for (const t of [a, b]) assert.deepEqual(await sessions.resolveSession(t, { now: at(6) }), { ok: false, reason: "disabled" });
    assert.deepEqual(await users.recordSignIn(u.claims), { allowed: false, reason: "disabled" });
    const listed = (await staff.listStaff(admin.viewer, at(6))).find((x) => x.id === u.id)!;
    assert.ok(listed.disabledAt);
    assert.equal(listed.sessions.length, 0);
    assert.equal((await staff.enableUser(admin.viewer, { userId: u.id })).ok, true);
    assert.equal((await users.recordSignIn(u.claims)).allowed, true);
    const actions = (await prisma.auditEntry.findMany({ where: { actor: `user:${admin.id}` }, select: { action: true, detail: true } })).map((e) => e.action);
    assert.deepEqual(actions.sort(), ["signin", "user.disabled", "user.enabled"]);
    assert.equal(await prisma.auditEntry.count({ where: { actor: `user:${u.id}`, action: "signin.refused" } }), 1);
  });

  test("the last enabled admin cannot be disabled; two admins disabling each other at once: exactly one wins", async () => {
    // Fresh partner state: every other admin of the partner disabled first.
    const x = await signedIn("Portal.Admin");
    const y = await signedIn("Portal.Admin");
    await prisma.portalUser.updateMany({ where: { role: "ADMIN", id: { notIn: [x.id, y.id] } }, data: { disabledAt: T0 } });
    const results = await Promise.all([staff.disableUser(x.viewer, { userId: y.id }), staff.disableUser(y.viewer, { userId: x.id })]);
    assert.deepEqual(results.map((r) => r.ok).sort(), [false, true]);
    const refused = results.find((r) => !r.ok)!;
    assert.equal(!refused.ok && refused.code, "last_admin");
    assert.equal(await prisma.portalUser.count({ where: { role: "ADMIN", disabledAt: null } }), 1);
    const survivor = results[0]!.ok ? x : y;
    const self = await staff.disableUser(survivor.viewer, { userId: survivor.id });
    assert.equal(!self.ok && self.formError, staff.LAST_ADMIN);
    await prisma.portalUser.updateMany({ where: { role: "ADMIN" }, data: { disabledAt: null } });
  });

  test("the check and the write are one: a disable waits for another admin's change in flight, then sees it", async () => {
    const x = await signedIn("Portal.Admin");
    const y = await signedIn("Portal.Admin");
    await prisma.portalUser.updateMany({ where: { role: "ADMIN", id: { notIn: [x.id, y.id] } }, data: { disabledAt: T0 } });
    // Another instance is disabling x right now: its transaction holds the partner's staff lock, not yet committed.
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT pg_advisory_xact_lock(hashtext('staff-access'), hashtext($1))", [x.viewer.partnerId]);
      await other.query(`UPDATE "PortalUser" SET "disabledAt" = now() WHERE id = $1`, [x.id]);
      let settled = false;
      const pending = staff.disableUser(x.viewer, { userId: y.id }).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(settled, false, "the disable must wait for the change in flight");
      await other.query("COMMIT");
      const r = await pending;
      assert.equal(!r.ok && r.code, "last_admin");
      assert.equal(await prisma.portalUser.count({ where: { role: "ADMIN", disabledAt: null } }), 1);
    } finally {
      await other.end();
      await prisma.portalUser.updateMany({ where: { role: "ADMIN" }, data: { disabledAt: null } });
    }
  });

  test("sign out everywhere and ending one session", async () => {
    const admin = await signedIn("Portal.Admin");
    const u = await signedIn("Portal.Analyst");
    const [a, b, c] = [await openSession(u.oid), await openSession(u.oid), await openSession(u.oid)];
    assert.equal((await staff.endStaffSession(admin.viewer, { sessionId: a.sid }, at(1))).ok, true);
    assert.deepEqual(await sessions.resolveSession(a, { now: at(2) }), { ok: false, reason: "ended_by_admin" });
    assert.equal((await sessions.resolveSession(b, { now: at(2) })).ok, true);
    const all = await staff.signOutEverywhere(admin.viewer, { userId: u.id }, at(3));
    assert.equal(all.ok && all.value.sessionsEnded, 2);
    for (const t of [b, c]) assert.deepEqual(await sessions.resolveSession(t, { now: at(4) }), { ok: false, reason: "signed_out_everywhere" });
    // Still enabled: may sign in again.
    assert.equal((await users.recordSignIn(u.claims)).allowed, true);
  });

  test("attacks: an analyst is denied every control; another partner's user or session matches nothing; hostile input is refused", async () => {
    const admin = await signedIn("Portal.Admin");
    const analyst = await signedIn("Portal.Analyst");
    const victimToken = await openSession(admin.oid);
    for (const call of [
      () => staff.listStaff(analyst.viewer),
      () => staff.disableUser(analyst.viewer, { userId: admin.id }),
      () => staff.enableUser(analyst.viewer, { userId: admin.id }),
      () => staff.signOutEverywhere(analyst.viewer, { userId: admin.id }),
      () => staff.endStaffSession(analyst.viewer, { sessionId: victimToken.sid }),
    ]) {
      await assert.rejects(call, (e: Error) => e.name === "AccessDeniedError");
    }
    assert.equal((await sessions.resolveSession(victimToken, { now: at(1) })).ok, true);

    const otherPartner = await prisma.partner.create({ data: { id: randomUUID(), name: "Other MSSP", entraTenantId: randomUUID() } });
    const foreign = await prisma.portalUser.create({
      data: {
        id: randomUUID(),
        partnerId: otherPartner.id,
        entraObjectId: randomUUID(),
        email: "x@other",
        displayName: "X",
        role: "ADMIN",
        roleSource: "portal",
      },
    });
    const foreignSession = await openSession(foreign.entraObjectId);
    const d = await staff.disableUser(admin.viewer, { userId: foreign.id });
    assert.equal(!d.ok && d.code, "not_found");
    assert.equal(!(await staff.signOutEverywhere(admin.viewer, { userId: foreign.id })).ok, true);
    assert.equal(!(await staff.endStaffSession(admin.viewer, { sessionId: foreignSession.sid })).ok, true);
    assert.equal((await sessions.resolveSession(foreignSession, { now: at(1) })).ok, true);
    assert.ok((await staff.listStaff(admin.viewer)).every((u) => u.id !== foreign.id));

    for (const bad of [null, "x", { userId: '\'; DROP TABLE "PortalUser"; --' }, { userId: 42 }, [admin.id]]) {
      const r = await staff.disableUser(admin.viewer, bad);
      assert.equal(!r.ok && r.code, "invalid");
    }
  });
});
