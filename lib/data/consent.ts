import { randomUUID } from "node:crypto";
import { z } from "zod";
import { serverConfig } from "../config/env.ts";
import { adminConsentUrl, consentCallbackUrl } from "../consent/links.ts";
import { deriveState, hashState, looksLikeState } from "../consent/state.ts";
import { verifyTenantConsent } from "../consent/verify.ts";
import { db } from "../db/client.ts";
import type { ConsentOutcome, ConsentVia, CustomerStatus, Prisma } from "../generated/prisma/client";
import { tokenClient } from "../microsoft/clients.ts";
import { writeAudit, type AuditActor } from "./audit.ts";

/**
 * The consent flow's writes: the callback a customer admin's browser brings back from Microsoft, and the manual
 * tenant ID a partner types after the docs' legacy link. Nothing in a callback's query string is trusted.
 */

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Lengths well above what Entra sends; anything longer is an attack or a broken client.
const callbackQuerySchema = z.object({
  state: z.string().max(200).optional(),
  tenant: z.string().max(200).optional(),
  admin_consent: z.string().max(20).optional(),
  scope: z.string().max(4000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(4000).optional(),
  error_uri: z.string().max(2000).optional(),
});

/** A consent request is live while unused, unrevoked, unexpired and its customer still waits for consent. */
export function liveRequestWhere(now: Date): Prisma.ConsentRequestWhereInput {
  return { usedAt: null, revokedAt: null, expiresAt: { gt: now }, customer: { status: "PENDING" } };
}

interface RecordInput {
  customerId: string | null;
  consentRequestId: string | null;
  outcome: ConsentOutcome;
  via: ConsentVia;
  reason: string;
  errorCode?: string | null;
  claimedTenantId?: string | null;
  grantedRoles?: string[];
  missingRoles?: string[];
  actor: AuditActor;
}

async function recordEvent(tx: Prisma.TransactionClient, input: RecordInput): Promise<string> {
  const id = randomUUID();
  await tx.consentEvent.create({
    data: {
      id,
      customerId: input.customerId,
      consentRequestId: input.consentRequestId,
      outcome: input.outcome,
      via: input.via,
      reason: input.reason,
      errorCode: input.errorCode ?? null,
      claimedTenantId: input.claimedTenantId?.slice(0, 200) ?? null,
      grantedRoles: input.grantedRoles ?? [],
      missingRoles: input.missingRoles ?? [],
    },
  });
  await writeAudit(tx, {
    actor: input.actor,
    action: input.outcome === "REFUSED" ? "consent.refused" : `consent.${input.outcome.toLowerCase()}`,
    customerId: input.customerId,
    detail: { eventId: id, via: input.via, code: input.errorCode ?? null, claimedTenantId: input.claimedTenantId?.slice(0, 200) ?? null },
  });
  return id;
}

/** Records a refusal and nothing else: no customer, request or tenant binding changes. */
async function refuse(input: Omit<RecordInput, "outcome">): Promise<string> {
  return db().$transaction((tx) => recordEvent(tx, { ...input, outcome: "REFUSED" }));
}

/** Entra error → what happened, in words a customer admin and a partner both understand. */
function classifyConsentError(error: string, description: string): { outcome: ConsentOutcome; status: CustomerStatus; code: string; reason: string } {
  const aadsts = /AADSTS(\d+)/.exec(description)?.[1];
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
async function explainDeadState(stateHash: string) {
  const req = await db().consentRequest.findUnique({
    where: { stateHash },
    select: { id: true, customerId: true, usedAt: true, revokedAt: true, expiresAt: true, customer: { select: { status: true } } },
  });
  if (!req) return { customerId: null, requestId: null, code: "state_unknown", reason: "The link's state is not one the portal issued." };
  const base = { customerId: req.customerId, requestId: req.id };
  if (req.usedAt) return { ...base, code: "state_replayed", reason: "This consent link was already used once; a link works a single time." };
  if (req.revokedAt) return { ...base, code: "state_revoked", reason: "This consent link was withdrawn by the partner." };
  if (req.expiresAt <= new Date()) return { ...base, code: "state_expired", reason: "This consent link has expired." };
  return { ...base, code: "customer_not_pending", reason: `This customer is not waiting for consent (status ${req.customer.status}).` };
}

/**
 * Handles GET /consent/callback. Returns the ledger event id the outcome page shows.
 */
export async function processConsentCallback(query: URLSearchParams): Promise<string> {
  const raw: Record<string, string> = {};
  for (const key of callbackQuerySchema.keyof().options) {
    const values = query.getAll(key);
    // A repeated parameter is ambiguous; ambiguity is refused, not resolved.
    if (values.length > 1) return refuse({ customerId: null, consentRequestId: null, via: "LINK", reason: `The parameter ${key} appears more than once.`, errorCode: "malformed_request", actor: "anonymous" });
    if (values[0] !== undefined) raw[key] = values[0];
  }
  const parsed = callbackQuerySchema.safeParse(raw);
  if (!parsed.success) {
    return refuse({ customerId: null, consentRequestId: null, via: "LINK", reason: "The consent response has oversized or malformed parameters.", errorCode: "malformed_request", actor: "anonymous" });
  }
  const q = parsed.data;
  if (!q.state || !looksLikeState(q.state)) {
    return refuse({ customerId: null, consentRequestId: null, via: "LINK", reason: "The consent response carries no valid state.", errorCode: q.state ? "state_unknown" : "state_missing", claimedTenantId: q.tenant, actor: "anonymous" });
  }

  const stateHash = hashState(q.state);
  const now = new Date();
  // Consume first, atomically: a second use of the same state (replay, double click, race) finds nothing.
  const consumed = await db().consentRequest.updateMany({ where: { stateHash, ...liveRequestWhere(now) }, data: { usedAt: now } });
  if (consumed.count !== 1) {
    const dead = await explainDeadState(stateHash);
    return refuse({ customerId: dead.customerId, consentRequestId: dead.requestId, via: "LINK", reason: dead.reason, errorCode: dead.code, claimedTenantId: q.tenant, actor: "anonymous" });
  }
  const request = await db().consentRequest.findUniqueOrThrow({ where: { stateHash }, select: { id: true, customerId: true } });

  if (q.error) {
    const c = classifyConsentError(q.error, q.error_description ?? "");
    return db().$transaction(async (tx) => {
      await tx.customer.update({ where: { id: request.customerId }, data: { status: c.status, statusReason: c.reason, statusFromSync: false, lastEventAt: now } });
      return recordEvent(tx, { customerId: request.customerId, consentRequestId: request.id, outcome: c.outcome, via: "LINK", reason: c.reason, errorCode: c.code, actor: "customer-admin" });
    });
  }

  if ((q.admin_consent ?? "").toLowerCase() !== "true" || !q.tenant || !GUID_RE.test(q.tenant)) {
    return refuse({ customerId: request.customerId, consentRequestId: request.id, via: "LINK", reason: "The consent response does not name a granted tenant.", errorCode: "malformed_request", claimedTenantId: q.tenant, actor: "anonymous" });
  }
  return verifyAndRecord({ customerId: request.customerId, consentRequestId: request.id, tenantId: q.tenant.toLowerCase(), via: "LINK", actor: "customer-admin" });
}

/**
 * Proves a claimed tenant with app tokens and records the result. Shared by the callback and the manual tenant ID.
 */
export async function verifyAndRecord(input: {
  customerId: string;
  consentRequestId: string | null;
  tenantId: string;
  via: ConsentVia;
  actor: AuditActor;
}): Promise<string> {
  const prisma = db();
  const customer = await prisma.customer.findUniqueOrThrow({ where: { id: input.customerId }, select: { id: true, tenantId: true } });
  const refusal = (code: string, reason: string) =>
    refuse({ customerId: input.customerId, consentRequestId: input.consentRequestId, via: input.via, reason, errorCode: code, claimedTenantId: input.tenantId, actor: input.actor });

  if (customer.tenantId && customer.tenantId !== input.tenantId) {
    return refusal("tenant_mismatch", `The consent names tenant ${input.tenantId}, but this customer's tenant is ${customer.tenantId}.`);
  }
  const boundElsewhere = await prisma.customer.findFirst({ where: { tenantId: input.tenantId, id: { not: input.customerId } }, select: { id: true } });
  if (boundElsewhere) return refusal("tenant_already_bound", `Tenant ${input.tenantId} already belongs to another customer of this portal.`);

  const cfg = serverConfig();
  const verification = await verifyTenantConsent(tokenClient(), input.tenantId, cfg.requiredPermissions);
  if (!verification.ok && !verification.tenantProven) {
    return refusal(verification.code, `No consent could be proved for tenant ${input.tenantId}: ${verification.reason}`);
  }

  const now = new Date();
  try {
    return await prisma.$transaction(async (tx) => {
      if (verification.ok) {
        await tx.customer.update({
          where: { id: input.customerId },
          data: { status: "CONSENTED", tenantId: input.tenantId, grantedRoles: verification.grantedRoles, consentedAt: now, consentedVia: input.via, statusReason: null, statusFromSync: false, lastEventAt: now },
        });
        return recordEvent(tx, { customerId: input.customerId, consentRequestId: input.consentRequestId, outcome: "CONSENTED", via: input.via, reason: "Admin consent verified with an app token for the tenant.", claimedTenantId: input.tenantId, grantedRoles: verification.grantedRoles, actor: input.actor });
      }
      // The tenant is proven (a token with its tid) but a permission is missing: bind it, flag the gap.
      await tx.customer.update({
        where: { id: input.customerId },
        data: { status: "ERROR", tenantId: input.tenantId, grantedRoles: verification.grantedRoles, statusReason: verification.reason, statusFromSync: false, lastEventAt: now },
      });
      return recordEvent(tx, {
        customerId: input.customerId, consentRequestId: input.consentRequestId, outcome: "PERMISSIONS_MISSING", via: input.via,
        reason: verification.reason, errorCode: verification.code, claimedTenantId: input.tenantId,
        grantedRoles: verification.grantedRoles, missingRoles: verification.missingRoles, actor: input.actor,
      });
    });
  } catch (err) {
    // Two customers raced for one tenant: the unique index decided.
    if ((err as { code?: string }).code === "P2002") return refusal("tenant_already_bound", `Tenant ${input.tenantId} already belongs to another customer of this portal.`);
    throw err;
  }
}

/** What the customer-facing onboarding page shows for a link, or why the link is dead. */
export async function getOnboardingPage(state: string) {
  if (!looksLikeState(state)) return { ok: false as const, reason: "This onboarding link is not valid." };
  const now = new Date();
  const req = await db().consentRequest.findUnique({
    where: { stateHash: hashState(state) },
    select: {
      id: true, expiresAt: true, usedAt: true, revokedAt: true,
      customer: { select: { displayName: true, status: true, tenantId: true, domain: true, partner: { select: { name: true, contactEmail: true } } } },
    },
  });
  if (!req) return { ok: false as const, reason: "This onboarding link is not valid." };
  if (req.usedAt) return { ok: false as const, reason: "This onboarding link was already used. If consent still needs to be given, ask your partner for a new link." };
  if (req.revokedAt) return { ok: false as const, reason: "This onboarding link was withdrawn by your partner." };
  if (req.expiresAt <= now) return { ok: false as const, reason: "This onboarding link has expired. Ask your partner for a new one." };
  if (req.customer.status !== "PENDING") return { ok: false as const, reason: "Your organization is not waiting for consent any more." };
  const cfg = serverConfig();
  return {
    ok: true as const,
    partnerName: req.customer.partner.name,
    partnerContactEmail: req.customer.partner.contactEmail,
    customerName: req.customer.displayName,
    clientId: cfg.clientId,
    permissions: cfg.requiredPermissions,
    expiresAt: req.expiresAt,
    consentUrl: adminConsentUrl({
      authorityHost: cfg.authorityHost,
      tenant: req.customer.tenantId ?? req.customer.domain ?? null,
      clientId: cfg.clientId,
      redirectUri: consentCallbackUrl(cfg.appUrl),
      state,
      permissions: cfg.requiredPermissions,
    }),
  };
}

/** The outcome page after a callback: only what the customer admin needs, nothing about other customers. */
export async function getConsentOutcome(eventId: string) {
  if (!GUID_RE.test(eventId)) return null;
  const ev = await db().consentEvent.findUnique({
    where: { id: eventId },
    select: {
      outcome: true, reason: true, errorCode: true, grantedRoles: true, missingRoles: true, createdAt: true,
      customer: { select: { displayName: true, partner: { select: { name: true, contactEmail: true } } } },
    },
  });
  if (!ev) return null;
  const cfg = serverConfig();
  return {
    outcome: ev.outcome,
    reason: ev.reason,
    errorCode: ev.errorCode,
    grantedRoles: ev.grantedRoles,
    missingRoles: ev.missingRoles,
    createdAt: ev.createdAt,
    customerName: ev.outcome === "REFUSED" ? null : (ev.customer?.displayName ?? null),
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
