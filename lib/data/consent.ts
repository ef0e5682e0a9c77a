import { randomUUID } from "node:crypto";
import { z } from "zod";
import { serverConfig } from "../config/env.ts";
import { adminConsentUrl, consentCallbackUrl } from "../consent/links.ts";
import { deriveState, hashState, looksLikeState } from "../consent/state.ts";
import { db } from "../db/client.ts";
import type { ConsentOutcome, ConsentPurpose, CustomerStatus, Prisma } from "../generated/prisma/client";
import { findUpgradeCapability } from "../config/capabilities.ts";
import { displayRole } from "../consent/verify.ts";
import { recordEvent, refuse } from "./consent-ledger.ts";
import { bindTenant, recordPermissionUpgrade } from "./tenant-binding.ts";
import { GUID_RE } from "../shared/ids.ts";

/**
 * The consent flow's writes: the callback a customer admin's browser brings back from Microsoft, and the manual
 * tenant ID a partner types after the docs' legacy link. Nothing in a callback's query string is trusted.
 */

// Lengths well above what Entra sends; anything longer is an attack or a broken client.
const callbackQuerySchema = z.object({
  state: z.string().max(200).optional(),
  // Stored and compared only when it is a GUID: attacker text never reaches the ledger.
  tenant: z.string().regex(GUID_RE).optional(),
  admin_consent: z.string().max(20).optional(),
  scope: z.string().max(4000).optional(),
  // Entra's error codes are short snake_case words; the description is read for its AADSTS number only.
  error: z
    .string()
    .regex(/^[a-z_]{1,64}$/)
    .optional(),
  error_subcode: z.string().max(100).optional(),
  error_description: z.string().max(4000).optional(),
  error_uri: z.string().max(2000).optional(),
});

/** A consent request is live while unused, unrevoked, unexpired and its customer is in the state its purpose needs. */
export function liveRequestWhere(now: Date, purpose: ConsentPurpose = "ONBOARD"): Prisma.ConsentRequestWhereInput {
  const base = { usedAt: null, revokedAt: null, expiresAt: { gt: now }, purpose };
  return purpose === "ONBOARD"
    ? { ...base, customer: { status: "PENDING" } }
    : { ...base, customer: { status: { in: ["CONSENTED", "ERROR"] }, tenantId: { not: null } } };
}

/** Entra error → what happened, in words a customer admin and a partner both understand. No query text is echoed. */
function classifyConsentError(error: string, description: string): { outcome: ConsentOutcome; status: CustomerStatus; code: string; reason: string } {
  const aadsts = /AADSTS(\d{1,10})/.exec(description)?.[1];
  const code = aadsts ? `AADSTS${aadsts}` : error;
  switch (aadsts) {
    case "65004":
      return { outcome: "DECLINED", status: "DECLINED", code, reason: `The customer's administrator declined consent (${code}).` };
    case "90094":
    case "90095":
    case "90099":
      return {
        outcome: "NOT_ADMIN",
        status: "ERROR",
        code,
        reason: `The person who signed in cannot grant admin consent for their organization (${code}): a Global Administrator or Privileged Role Administrator must approve.`,
      };
    case "50020":
      return {
        outcome: "WRONG_DIRECTORY",
        status: "ERROR",
        code,
        reason: `The account that signed in belongs to another organization than the one being onboarded (${code}).`,
      };
  }
  if (error === "access_denied" || error === "permission_denied") {
    return { outcome: "DECLINED", status: "DECLINED", code, reason: `The customer's administrator declined consent (${code}).` };
  }
  return { outcome: "VERIFICATION_FAILED", status: "ERROR", code, reason: `Microsoft returned an error instead of a consent (${code}).` };
}

/** Why a state cannot be used, for the refusal record. */
async function explainDeadState(requestId: string) {
  const req = await db().consentRequest.findUniqueOrThrow({
    where: { id: requestId },
    select: { usedAt: true, revokedAt: true, expiresAt: true, purpose: true, customer: { select: { status: true } } },
  });
  if (req.usedAt) return { code: "state_replayed", reason: "This consent link was already used once; a link works a single time." };
  if (req.revokedAt) return { code: "state_revoked", reason: "This consent link was withdrawn by the partner." };
  if (req.expiresAt <= new Date()) return { code: "state_expired", reason: "This consent link has expired." };
  return req.purpose === "ONBOARD"
    ? { code: "customer_not_pending", reason: `This customer is not waiting for consent (status ${req.customer.status}).` }
    : { code: "customer_not_bound", reason: `This customer has no consented tenant to add permissions to (status ${req.customer.status}).` };
}

/**
 * Callbacks that name no state the portal issued are answered without a write: counted here and logged at most once a
 * minute, so an anonymous flood cannot grow the database.
 */
const ignoredCallbacks = { count: 0, total: 0, lastLogAt: 0 };

function ignoreCallback(): CallbackResult {
  ignoredCallbacks.count += 1;
  ignoredCallbacks.total += 1;
  const now = Date.now();
  if (now - ignoredCallbacks.lastLogAt >= 60_000) {
    console.warn(`[consent] ignored ${ignoredCallbacks.count} callback(s) with an unknown or malformed state since the last report`);
    ignoredCallbacks.count = 0;
    ignoredCallbacks.lastLogAt = now;
  }
  return { kind: "invalid" };
}

/** How many state-less or unknown-state callbacks this process ignored (for tests and metrics). */
export function ignoredCallbackCount(): number {
  return ignoredCallbacks.total;
}

export type CallbackResult = { kind: "event"; eventId: string } | { kind: "invalid" };

/**
 * Handles GET /consent/callback. Returns the ledger event the outcome page shows, or `invalid` when the request names
 * no live link of the portal's (nothing is written for those).
 */
export async function processConsentCallback(query: URLSearchParams): Promise<CallbackResult> {
  const states = query.getAll("state");
  if (states.length !== 1 || !looksLikeState(states[0]!)) return ignoreCallback();
  const stateHash = hashState(states[0]!);
  const request = await db().consentRequest.findUnique({ where: { stateHash }, select: { id: true, customerId: true, purpose: true, permissions: true } });
  if (!request) return ignoreCallback();
  const event = (eventId: string): CallbackResult => ({ kind: "event", eventId });
  const refuseFor = (code: string, reason: string, claimedTenantId?: string | null) =>
    refuse({ customerId: request.customerId, consentRequestId: request.id, via: "LINK", reason, errorCode: code, claimedTenantId, actor: "anonymous" }).then(
      event,
    );

  const raw: Record<string, string> = {};
  for (const key of callbackQuerySchema.keyof().options) {
    const values = query.getAll(key);
    // A repeated parameter is ambiguous; ambiguity is refused, not resolved.
    if (values.length > 1) return refuseFor("malformed_request", `The consent response repeats the parameter ${key}.`);
    if (values[0] !== undefined) raw[key] = values[0];
  }
  const parsed = callbackQuerySchema.safeParse(raw);
  if (!parsed.success) return refuseFor("malformed_request", "The consent response has oversized or malformed parameters.");
  const q = parsed.data;

  const now = new Date();
  // Consume first, atomically: a second use of the same state (replay, double click, race) finds nothing.
  const consumed = await db().consentRequest.updateMany({ where: { id: request.id, ...liveRequestWhere(now, request.purpose) }, data: { usedAt: now } });
  if (consumed.count !== 1) {
    const dead = await explainDeadState(request.id);
    return refuseFor(dead.code, dead.reason, q.tenant);
  }

  if (q.error) {
    const c = classifyConsentError(q.error, q.error_description ?? "");
    return db().$transaction(async (tx) => {
      // An upgrade that was declined leaves the customer as it was: its existing consent still stands.
      if (request.purpose === "ONBOARD") {
        await tx.customer.update({
          where: { id: request.customerId },
          data: { status: c.status, statusReason: c.reason, statusFromSync: false, lastEventAt: now },
        });
      }
      return event(
        await recordEvent(tx, {
          customerId: request.customerId,
          consentRequestId: request.id,
          outcome: c.outcome,
          via: "LINK",
          reason: c.reason,
          errorCode: c.code,
          actor: "customer-admin",
        }),
      );
    });
  }

  if ((q.admin_consent ?? "").toLowerCase() !== "true" || !q.tenant) {
    return refuseFor("malformed_request", "The consent response does not name a granted tenant.");
  }
  const input = {
    customerId: request.customerId,
    consentRequestId: request.id,
    tenantId: q.tenant.toLowerCase(),
    via: "LINK" as const,
    actor: "customer-admin" as const,
  };
  return event(request.purpose === "ONBOARD" ? await bindTenant(input) : await recordPermissionUpgrade({ ...input, requestedRoles: request.permissions }));
}

/** What the customer-facing onboarding page shows for a link, or why the link is dead. */
export async function getOnboardingPage(state: string) {
  if (!looksLikeState(state)) return { ok: false as const, reason: "This onboarding link is not valid." };
  const now = new Date();
  const req = await db().consentRequest.findUnique({
    where: { stateHash: hashState(state) },
    select: {
      id: true,
      expiresAt: true,
      usedAt: true,
      revokedAt: true,
      purpose: true,
      capability: true,
      customer: { select: { displayName: true, status: true, tenantId: true, domain: true, partner: { select: { name: true, contactEmail: true } } } },
    },
  });
  if (!req) return { ok: false as const, reason: "This onboarding link is not valid." };
  if (req.usedAt)
    return { ok: false as const, reason: "This onboarding link was already used. If consent still needs to be given, ask your partner for a new link." };
  if (req.revokedAt) return { ok: false as const, reason: "This onboarding link was withdrawn by your partner." };
  if (req.expiresAt <= now) return { ok: false as const, reason: "This onboarding link has expired. Ask your partner for a new one." };
  const cfg = serverConfig();
  const upgrade = req.purpose === "UPGRADE" ? findUpgradeCapability(req.capability ?? "") : undefined;
  if (req.purpose === "UPGRADE") {
    if (!upgrade || !req.customer.tenantId || !["CONSENTED", "ERROR"].includes(req.customer.status)) {
      return { ok: false as const, reason: "Your organization has no connection to add permissions to. Ask your partner for a new link." };
    }
  } else if (req.customer.status !== "PENDING") {
    return { ok: false as const, reason: "Your organization is not waiting for consent any more." };
  }
  const permissions = upgrade ? upgrade.permissions : cfg.requiredPermissions;
  // Delegated permissions (user context) are listed apart: they act for a signed-in analyst, within that person's role.
  const delegated = upgrade?.delegated ?? [];
  return {
    ok: true as const,
    purpose: req.purpose,
    capability: upgrade ? { label: upgrade.label, why: upgrade.why } : null,
    partnerName: req.customer.partner.name,
    partnerContactEmail: req.customer.partner.contactEmail,
    customerName: req.customer.displayName,
    clientId: cfg.clientId,
    permissions,
    delegated,
    expiresAt: req.expiresAt,
    consentUrl: adminConsentUrl({
      authorityHost: cfg.authorityHost,
      // An upgrade goes to the bound tenant only: its admin cannot approve for another organization.
      tenant: req.customer.tenantId ?? req.customer.domain ?? null,
      clientId: cfg.clientId,
      redirectUri: consentCallbackUrl(cfg.appUrl),
      state,
      permissions: [...permissions, ...delegated],
    }),
  };
}

/**
 * What a customer admin reads after a refusal, by code. The ledger's own reason (both tenants named, for the partner)
 * stays in the partner's history: the outcome page is anonymous.
 */
const PUBLIC_REFUSALS: Record<string, string> = {
  tenant_mismatch:
    "The organization you approved for is not the one this link was made for. Nothing was recorded. Sign in with an administrator of the organization your partner is onboarding.",
  domain_unresolved:
    "Your partner's record names a domain that Microsoft could not confirm right now, so nothing was recorded. Try the link again later or ask your partner.",
  tenant_already_bound: "Your organization is already connected to this partner under another customer record. Nothing was recorded.",
  state_replayed: "This link was already used once; a link works a single time. Nothing more was recorded.",
  state_expired: "This link has expired. Nothing was recorded.",
  state_revoked: "This link was withdrawn by your partner. Nothing was recorded.",
  customer_not_pending: "Your organization is not waiting for consent any more. Nothing was recorded.",
  customer_not_bound: "Your organization has no connection to add permissions to. Nothing was recorded.",
  customer_state_changed: "Your partner changed this customer record while you were approving. Nothing was recorded.",
  malformed_request: "The response from Microsoft was incomplete or malformed. Nothing was recorded.",
};

/** The outcome page after a callback: only what the customer admin needs, nothing about other customers. */
export async function getConsentOutcome(eventId: string) {
  if (!GUID_RE.test(eventId)) return null;
  const ev = await db().consentEvent.findUnique({
    where: { id: eventId },
    select: {
      outcome: true,
      reason: true,
      errorCode: true,
      grantedRoles: true,
      missingRoles: true,
      createdAt: true,
      customer: { select: { displayName: true, partner: { select: { name: true, contactEmail: true } } } },
    },
  });
  if (!ev) return null;
  const cfg = serverConfig();
  const refused = ev.outcome === "REFUSED";
  return {
    outcome: ev.outcome,
    // Every non-refusal reason is built from the portal's own templates and validated codes, never from query text.
    reason: refused ? (PUBLIC_REFUSALS[ev.errorCode ?? ""] ?? "Microsoft did not confirm this consent, so nothing was recorded.") : ev.reason,
    errorCode: ev.errorCode,
    grantedRoles: ev.grantedRoles,
    missingRoles: ev.missingRoles.map(displayRole),
    createdAt: ev.createdAt,
    customerName: refused ? null : (ev.customer?.displayName ?? null),
    partnerName: ev.customer?.partner.name ?? cfg.partnerName,
    partnerContactEmail: ev.customer?.partner.contactEmail ?? cfg.partnerContactEmail ?? null,
  };
}

/** Creates the consent state for a request id; the raw state exists only in memory and in the link. */
export function newConsentRequestSecret(): { id: string; state: string; stateHash: string } {
  const id = randomUUID();
  const state = deriveState(serverConfig().authSecret, id);
  return { id, state, stateHash: hashState(state) };
}
