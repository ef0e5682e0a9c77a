import { randomUUID } from "node:crypto";
import { absoluteExpiry, decideSession, type SessionEndReason } from "../auth/session-policy.ts";
import { responderGranted, type PortalRole } from "../auth/viewer.ts";
import { serverConfig } from "../config/env.ts";
import { db, sqlRows } from "../db/client.ts";
import { writeAudit } from "./audit.ts";

/**
 * Server-side sessions (issue #9 §3). The next-auth cookie is a signed JWT that carries only a session id and the
 * user's oid; this table decides whether that id still means anything, so sign-out, disable and expiry hold on
 * every web instance at once. `now` is a parameter everywhere so tests can move the clock.
 */

/** Opens a session for a user who has just signed in (their role was read from the id token now). */
export async function startSession(input: { entraObjectId: string; userAgent: string | null }, now = new Date()): Promise<string> {
  const policy = serverConfig().sessions;
  const user = await db().portalUser.findUniqueOrThrow({ where: { entraObjectId: input.entraObjectId }, select: { id: true } });
  // The id needs no secrecy: the cookie around it is encrypted and signed with NEXTAUTH_SECRET (next-auth's JWE),
  // so knowing an id (the Users & access page shows them) does not make a cookie.
  const id = randomUUID();
  await db().portalSession.create({
    data: {
      id,
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      roleCheckedAt: now,
      absoluteExpiresAt: absoluteExpiry(now, policy),
      userAgent: input.userAgent?.slice(0, 100) ?? null,
    },
  });
  return id;
}

export type ResolvedSession =
  | { ok: true; user: { id: string; partnerId: string; displayName: string; email: string; role: PortalRole; responder: boolean } }
  | { ok: false; reason: SessionEndReason | "unknown" };

/**
 * The session behind a cookie, or why there is none. Ends the row when the verdict says so (idle, expired, disabled,
 * role refresh due), so a later request, on any instance, finds it ended. Records activity at most once a minute.
 */
export async function resolveSession(token: Readonly<Record<string, unknown>>, opts: { now?: Date; touch?: boolean } = {}): Promise<ResolvedSession> {
  const now = opts.now ?? new Date();
  if (typeof token.sid !== "string" || token.sid.length > 128 || typeof token.oid !== "string") return { ok: false, reason: "unknown" };
  const row = await sessionWithUser(token.sid);
  // A session id only counts with the oid it was issued to (both are inside the same signed cookie).
  if (!row || row.user.entraObjectId !== token.oid.toLowerCase()) return { ok: false, reason: "unknown" };
  const verdict = decideSession(row, now, serverConfig().sessions);
  if (!verdict.valid) {
    if (verdict.end) await endSessionRow(row.id, verdict.reason, now);
    return { ok: false, reason: verdict.reason };
  }
  if (verdict.touch && opts.touch !== false) {
    // Conditional on the value read: concurrent requests write once.
    await db().portalSession.updateMany({ where: { id: row.id, lastSeenAt: row.lastSeenAt, endedAt: null }, data: { lastSeenAt: now } });
  }
  const { id, partnerId, displayName, email, role } = row.user;
  // Read on every request like the role: a Responder grant withdrawn on Users & access applies at once.
  return { ok: true, user: { id, partnerId, displayName, email, role: role!, responder: responderGranted(row.user) } };
}

/**
 * The session row and its user in one statement of plain SQL (sqlRows): this runs on every page and route, and Prisma
 * reads a relation with a second query (issue #12 §1).
 */
async function sessionWithUser(sid: string) {
  const rows = await sqlRows<{
    id: string;
    lastSeenAt: Date;
    absoluteExpiresAt: Date;
    roleCheckedAt: Date;
    endedAt: Date | null;
    endedReason: string | null;
    userId: string;
    partnerId: string;
    entraObjectId: string;
    displayName: string;
    email: string;
    role: PortalRole | null;
    disabledAt: Date | null;
    responderFromEntra: boolean;
    responderGrantedAt: Date | null;
  }>(
    `SELECT s.id, s."lastSeenAt", s."absoluteExpiresAt", s."roleCheckedAt", s."endedAt", s."endedReason",
            u.id::text AS "userId", u."partnerId"::text AS "partnerId", u."entraObjectId"::text AS "entraObjectId", u."displayName", u.email,
            u.role::text AS role, u."disabledAt", u."responderFromEntra", u."responderGrantedAt"
       FROM "PortalSession" s JOIN "PortalUser" u ON u.id = s."userId"
      WHERE s.id = $1`,
    [sid],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    lastSeenAt: r.lastSeenAt,
    absoluteExpiresAt: r.absoluteExpiresAt,
    roleCheckedAt: r.roleCheckedAt,
    endedAt: r.endedAt,
    endedReason: r.endedReason,
    user: {
      id: r.userId,
      partnerId: r.partnerId,
      entraObjectId: r.entraObjectId,
      displayName: r.displayName,
      email: r.email,
      role: r.role,
      disabledAt: r.disabledAt,
      responderFromEntra: r.responderFromEntra,
      responderGrantedAt: r.responderGrantedAt,
    },
  };
}

/** Ends one open session (sign-out, expiry). Ending an ended session changes nothing. */
export async function endSessionRow(sessionId: string, reason: SessionEndReason, now = new Date()): Promise<boolean> {
  const r = await db().portalSession.updateMany({ where: { id: sessionId, endedAt: null }, data: { endedAt: now, endedReason: reason } });
  return r.count > 0;
}

/** Sign-out from the browser: ends the session named in the signed cookie, if it is still open. */
export async function endSessionFromToken(token: Readonly<Record<string, unknown>> | null | undefined, now = new Date()): Promise<void> {
  const sid = token?.sid;
  if (typeof sid !== "string" || sid.length > 128) return;
  await db().$transaction(async (tx) => {
    const ended = await tx.portalSession.updateMany({ where: { id: sid, endedAt: null }, data: { endedAt: now, endedReason: "signed_out" } });
    if (ended.count === 0) return;
    const { userId } = await tx.portalSession.findUniqueOrThrow({ where: { id: sid }, select: { userId: true } });
    await writeAudit(tx, { actor: `user:${userId}`, action: "signout", detail: { sessionId: sid } });
  });
}
