import { z } from "zod";
import { assertCan, RESPONDER_APP_ROLE, type PortalRole, type Viewer } from "../auth/viewer.ts";
import { serverConfig } from "../config/env.ts";
import { db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import { failure, type Result } from "../result.ts";
import { removeDelegatedTokens } from "./delegated.ts";
import { writeAudit } from "./audit.ts";

/**
 * Users & access (issue #9 §3): the partner's staff who signed in, their sessions, and the admin's controls over
 * them. Every function takes the viewer, asks `can(viewer, "users:manage")`, and touches only the viewer's partner.
 */

export interface StaffSessionRow {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  userAgent: string | null;
}

export interface StaffRow {
  id: string;
  displayName: string;
  email: string;
  role: PortalRole | null;
  roleSource: string | null;
  lastSignInAt: Date | null;
  disabledAt: Date | null;
  /** The Responder capability by source: the Entra app role Portal.Responder, and a partner admin's grant here. */
  responder: { fromEntra: boolean; grantedAt: Date | null; grantedByEmail: string | null };
  sessions: StaffSessionRow[];
  /** Customer groups the person is assigned to (assigned on each group's page). */
  groups: { id: string; name: string }[];
}

/** Open rows that still count: not ended, within the absolute lifetime and the idle timeout. */
function activeSessionWhere(now: Date): Prisma.PortalSessionWhereInput {
  const { idleMs } = serverConfig().sessions;
  return { endedAt: null, absoluteExpiresAt: { gt: now }, lastSeenAt: { gt: new Date(now.getTime() - idleMs) } };
}

/** The session rules in force, in words for the Users & access page. */
export function sessionRules(viewer: Viewer): { maxHours: number; idleMinutes: number; roleRefreshMinutes: number } {
  assertCan(viewer, "users:manage");
  const { maxAgeMs, idleMs, roleRefreshMs } = serverConfig().sessions;
  return { maxHours: maxAgeMs / 3_600_000, idleMinutes: idleMs / 60_000, roleRefreshMinutes: roleRefreshMs / 60_000 };
}

export async function listStaff(viewer: Viewer, now = new Date()): Promise<StaffRow[]> {
  assertCan(viewer, "users:manage");
  const users = await db().portalUser.findMany({
    where: { partnerId: viewer.partnerId },
    orderBy: [{ displayName: "asc" }, { email: "asc" }],
    take: 1000,
    select: {
      id: true,
      displayName: true,
      email: true,
      role: true,
      roleSource: true,
      lastSignInAt: true,
      disabledAt: true,
      responderFromEntra: true,
      responderGrantedAt: true,
      responderGrantedById: true,
      sessions: {
        where: activeSessionWhere(now),
        orderBy: { lastSeenAt: "desc" },
        take: 50,
        select: { id: true, createdAt: true, lastSeenAt: true, userAgent: true },
      },
      groupAssignments: {
        where: { group: { partnerId: viewer.partnerId } },
        orderBy: { group: { name: "asc" } },
        select: { group: { select: { id: true, name: true } } },
      },
    },
  });
  const granters = new Map(
    (
      await db().portalUser.findMany({
        where: { partnerId: viewer.partnerId, id: { in: users.flatMap((u) => (u.responderGrantedById ? [u.responderGrantedById] : [])) } },
        select: { id: true, email: true },
      })
    ).map((g) => [g.id, g.email]),
  );
  return users.map(({ groupAssignments, responderFromEntra, responderGrantedAt, responderGrantedById, ...u }) => ({
    ...u,
    responder: {
      fromEntra: responderFromEntra,
      grantedAt: responderGrantedAt,
      grantedByEmail: responderGrantedById ? (granters.get(responderGrantedById) ?? null) : null,
    },
    groups: groupAssignments.map((g) => g.group),
  }));
}

const userIdInput = z.object({ userId: z.string().uuid("Choose a user from the list.") });
const responderInput = z.object({ userId: z.string().uuid("Choose a user from the list."), granted: z.boolean() });
const sessionIdInput = z.object({ sessionId: z.string().uuid("Choose a session from the list.") });

const NOT_FOUND = "That user is not one of this partner's staff.";
export const LAST_ADMIN = "The last enabled partner admin cannot be disabled: give another person the Portal.Admin role (or enable another admin) first.";

type Tx = Prisma.TransactionClient;

/**
 * Every change to staff access of one partner runs under one transaction-scoped advisory lock, so "is another admin
 * still enabled?" and the write that depends on it cannot interleave with another admin's change (two admins
 * disabling each other at once: one wins, the other is refused).
 */
async function lockPartnerStaff(tx: Tx, partnerId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('staff-access'), hashtext(${partnerId}))`;
}

/** Disables a user: every session ends at once and sign-in is refused until enabled again. */
export async function disableUser(viewer: Viewer, input: unknown, now = new Date()): Promise<Result<{ sessionsEnded: number }>> {
  assertCan(viewer, "users:manage");
  const parsed = userIdInput.safeParse(input);
  if (!parsed.success) return failure(parsed.error.issues[0]!.message, "invalid");
  const { userId } = parsed.data;
  return db().$transaction(async (tx): Promise<Result<{ sessionsEnded: number }>> => {
    await lockPartnerStaff(tx, viewer.partnerId);
    const target = await tx.portalUser.findFirst({
      where: { id: userId, partnerId: viewer.partnerId },
      select: { id: true, role: true, email: true, disabledAt: true },
    });
    if (!target) return failure(NOT_FOUND, "not_found");
    if (target.disabledAt) return { ok: true, message: `${target.email} is already disabled.`, value: { sessionsEnded: 0 } };
    // The condition is part of the write itself (and the lock above keeps it true until commit).
    const updated = await tx.$executeRaw`
      UPDATE "PortalUser" u SET "disabledAt" = ${now}, "disabledById" = ${viewer.userId}::uuid
      WHERE u."id" = ${userId}::uuid AND u."partnerId" = ${viewer.partnerId}::uuid AND u."disabledAt" IS NULL
        AND (u."role" IS DISTINCT FROM 'ADMIN' OR EXISTS (
          SELECT 1 FROM "PortalUser" o
          WHERE o."partnerId" = u."partnerId" AND o."role" = 'ADMIN' AND o."disabledAt" IS NULL AND o."id" <> u."id"))`;
    if (updated === 0) return failure(LAST_ADMIN, "last_admin");
    const ended = await tx.portalSession.updateMany({ where: { userId, endedAt: null }, data: { endedAt: now, endedReason: "disabled" } });
    // Their delegated tokens for customer tenants go with their access (issue 13).
    const tokensRemoved = await removeDelegatedTokens(tx, userId);
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "user.disabled",
      detail: { userId, email: target.email, role: target.role, sessionsEnded: ended.count, delegatedTokensRemoved: tokensRemoved },
    });
    return { ok: true, message: `${target.email} is disabled; ${ended.count} session(s) ended.`, value: { sessionsEnded: ended.count } };
  });
}

export async function enableUser(viewer: Viewer, input: unknown): Promise<Result> {
  assertCan(viewer, "users:manage");
  const parsed = userIdInput.safeParse(input);
  if (!parsed.success) return failure(parsed.error.issues[0]!.message, "invalid");
  const { userId } = parsed.data;
  return db().$transaction(async (tx): Promise<Result> => {
    await lockPartnerStaff(tx, viewer.partnerId);
    const r = await tx.portalUser.updateMany({
      where: { id: userId, partnerId: viewer.partnerId, disabledAt: { not: null } },
      data: { disabledAt: null, disabledById: null },
    });
    const target = await tx.portalUser.findFirst({ where: { id: userId, partnerId: viewer.partnerId }, select: { email: true } });
    if (!target) return failure(NOT_FOUND, "not_found");
    if (r.count === 0) return { ok: true, message: `${target.email} is already enabled.` };
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "user.enabled", detail: { userId, email: target.email } });
    return { ok: true, message: `${target.email} is enabled and may sign in again.` };
  });
}

/** Ends every open session of a user; they stay enabled and may sign in again. */
export async function signOutEverywhere(viewer: Viewer, input: unknown, now = new Date()): Promise<Result<{ sessionsEnded: number }>> {
  assertCan(viewer, "users:manage");
  const parsed = userIdInput.safeParse(input);
  if (!parsed.success) return failure(parsed.error.issues[0]!.message, "invalid");
  const { userId } = parsed.data;
  return db().$transaction(async (tx): Promise<Result<{ sessionsEnded: number }>> => {
    const target = await tx.portalUser.findFirst({ where: { id: userId, partnerId: viewer.partnerId }, select: { email: true } });
    if (!target) return failure(NOT_FOUND, "not_found");
    const ended = await tx.portalSession.updateMany({ where: { userId, endedAt: null }, data: { endedAt: now, endedReason: "signed_out_everywhere" } });
    const tokensRemoved = await removeDelegatedTokens(tx, userId);
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "user.signed_out_everywhere",
      detail: { userId, email: target.email, sessionsEnded: ended.count, delegatedTokensRemoved: tokensRemoved },
    });
    return { ok: true, message: `${target.email} is signed out everywhere (${ended.count} session(s) ended).`, value: { sessionsEnded: ended.count } };
  });
}

/** Ends one session of one of the partner's staff. */
export async function endStaffSession(viewer: Viewer, input: unknown, now = new Date()): Promise<Result> {
  assertCan(viewer, "users:manage");
  const parsed = sessionIdInput.safeParse(input);
  if (!parsed.success) return failure(parsed.error.issues[0]!.message, "invalid");
  const { sessionId } = parsed.data;
  return db().$transaction(async (tx): Promise<Result> => {
    // Scoped through the session's user: another partner's session id matches nothing.
    const ended = await tx.portalSession.updateMany({
      where: { id: sessionId, endedAt: null, user: { partnerId: viewer.partnerId } },
      data: { endedAt: now, endedReason: "ended_by_admin" },
    });
    if (ended.count === 0) return failure("That session is not open (it may have ended already).", "not_found");
    const { user } = await tx.portalSession.findUniqueOrThrow({ where: { id: sessionId }, select: { user: { select: { id: true, email: true } } } });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "session.ended", detail: { sessionId, userId: user.id, email: user.email } });
    return { ok: true, message: `Session of ${user.email} ended.` };
  });
}

/**
 * Grants or withdraws the portal's Responder grant of one of the partner's staff (issue 11 §2): with it an analyst may
 * run device response actions (isolate, release, scan, investigation package) on the customers they see. It takes
 * effect on the person's next request (the viewer is read on every request). The Entra app role Portal.Responder is
 * a second, independent source: withdrawing here leaves it, and the page says so. Admins have the permission by role.
 */
export async function setResponder(viewer: Viewer, input: unknown, now = new Date()): Promise<Result> {
  assertCan(viewer, "users:manage");
  const parsed = responderInput.safeParse(input);
  if (!parsed.success) return failure(parsed.error.issues[0]!.message, "invalid");
  const { userId, granted } = parsed.data;
  return db().$transaction(async (tx): Promise<Result> => {
    const target = await tx.portalUser.findFirst({
      where: { id: userId, partnerId: viewer.partnerId },
      select: { id: true, email: true, role: true, responderFromEntra: true, responderGrantedAt: true },
    });
    if (!target) return failure(NOT_FOUND, "not_found");
    // Only the state read here changes (a second admin's identical click writes nothing and audits nothing).
    const changed = await tx.portalUser.updateMany({
      where: { id: userId, partnerId: viewer.partnerId, responderGrantedAt: granted ? null : { not: null } },
      data: granted ? { responderGrantedAt: now, responderGrantedById: viewer.userId } : { responderGrantedAt: null, responderGrantedById: null },
    });
    const entraNote = target.responderFromEntra
      ? ` The Entra app role ${RESPONDER_APP_ROLE} still grants it: remove that role in Entra (Enterprise applications → Users and groups) to withdraw it.`
      : "";
    const adminNote = target.role === "ADMIN" ? " (Partner admins may always run response actions.)" : "";
    if (changed.count === 0) {
      return {
        ok: true,
        message: granted ? `${target.email} already has the Responder grant.${adminNote}` : `${target.email} has no Responder grant to withdraw.${entraNote}`,
      };
    }
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: granted ? "user.responder.granted" : "user.responder.withdrawn",
      detail: { userId, email: target.email, role: target.role, responderFromEntra: target.responderFromEntra },
    });
    return {
      ok: true,
      message: granted
        ? `${target.email} may now run device response actions on the customers they see.${adminNote}`
        : `${target.email}'s Responder grant is withdrawn.${entraNote}`,
    };
  });
}
