import type { SessionPolicy } from "../config/env.ts";

/**
 * Whether a stored session still lets its cookie in. Pure (no clock, no database): the caller passes `now`, so tests
 * move time freely. `lib/data/sessions.ts` applies the verdict.
 */
export type SessionEndReason = "signed_out" | "signed_out_everywhere" | "ended_by_admin" | "disabled" | "idle" | "expired" | "role_refresh" | "no_role";

export interface StoredSession {
  lastSeenAt: Date;
  absoluteExpiresAt: Date;
  roleCheckedAt: Date;
  endedAt: Date | null;
  endedReason: string | null;
  user: { disabledAt: Date | null; role: string | null };
}

export type SessionVerdict =
  | { valid: true; touch: boolean }
  /** `end`: the row is still open and must be closed with this reason now. */
  | { valid: false; reason: SessionEndReason; end: boolean };

/** lastSeenAt is written at most once a minute: bounded writes, at the cost of a minute's precision on idle. */
export const TOUCH_INTERVAL_MS = 60_000;

export function decideSession(s: StoredSession, now: Date, policy: SessionPolicy): SessionVerdict {
  if (s.endedAt) return { valid: false, reason: (s.endedReason as SessionEndReason | null) ?? "signed_out", end: false };
  const t = now.getTime();
  if (s.user.disabledAt) return { valid: false, reason: "disabled", end: true };
  if (!s.user.role) return { valid: false, reason: "no_role", end: true };
  if (t >= s.absoluteExpiresAt.getTime()) return { valid: false, reason: "expired", end: true };
  if (t - s.lastSeenAt.getTime() >= policy.idleMs) return { valid: false, reason: "idle", end: true };
  if (t - s.roleCheckedAt.getTime() >= policy.roleRefreshMs) return { valid: false, reason: "role_refresh", end: true };
  return { valid: true, touch: t - s.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS };
}

/** The absolute end of a session started at `start`. */
export function absoluteExpiry(start: Date, policy: SessionPolicy): Date {
  return new Date(start.getTime() + policy.maxAgeMs);
}

/** "Chrome on Linux" from a User-Agent header: enough to recognise a device in the sessions list, nothing more. */
export function summarizeUserAgent(ua: string | null | undefined): string | null {
  if (!ua) return null;
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : "Browser";
  const os = /Windows/.test(ua)
    ? "Windows"
    : /Mac OS X|Macintosh/.test(ua)
      ? "macOS"
      : /Android/.test(ua)
        ? "Android"
        : /iPhone|iPad/.test(ua)
          ? "iOS"
          : /Linux/.test(ua)
            ? "Linux"
            : "unknown OS";
  return `${browser} on ${os}`;
}
