import { assertCan, type Viewer } from "../auth/viewer.ts";
import { capabilityRoles, findUpgradeCapability } from "../config/capabilities.ts";
import { serverConfig } from "../config/env.ts";
import { mergeRoles, qualifiedRole, type RequiredPermission } from "../config/permissions.ts";
import { displayRole, verifyTenantConsent } from "../consent/verify.ts";
import { db } from "../db/client.ts";
import type { ConsentVia, CustomerStatus, Prisma } from "../generated/prisma/client";
import { apiClient, tokenClient } from "../microsoft/clients.ts";
import { findTenantInformation, resolveTenantByDomain } from "../microsoft/tenant-directory.ts";
import { failure, type Result } from "../result.ts";
import type { AuditActor } from "./audit.ts";
import { recordEvent, refuse } from "./consent-ledger.ts";

/**
 * Binding a tenant to a customer, the promise the product rests on: "this customer's tenant, and only it, is bound".
 * - A customer added with a tenant ID or a domain accepts consent only from that tenant (the domain is resolved again
 *   at binding, through OpenID discovery).
 * - A customer added with a name only is put in AWAITING_CONFIRMATION with the tenant's own name and domain (Graph),
 *   and nothing syncs before a partner admin confirms it.
 * - The write checks, in the same statement, that the customer is still in a state that may bind and unbound (or bound
 *   to this very tenant); the unique index on tenantId settles two customers racing for one tenant.
 */

/** Statuses from which a first binding may happen (a previous attempt declined or failed). */
const BINDABLE: CustomerStatus[] = ["PENDING", "DECLINED", "ERROR", "REVOKED"];

interface BindInput {
  customerId: string;
  consentRequestId: string | null;
  tenantId: string;
  via: ConsentVia;
  actor: AuditActor;
}

/** Proves a claimed tenant with app tokens and binds it (or refuses). Returns the ledger event id. */
export async function bindTenant(input: BindInput): Promise<string> {
  const prisma = db();
  const cfg = serverConfig();
  const customer = await prisma.customer.findUniqueOrThrow({ where: { id: input.customerId }, select: { id: true, tenantId: true, domain: true } });
  const refusal = (code: string, reason: string, expectedTenantId?: string | null) =>
    refuse({
      customerId: input.customerId,
      consentRequestId: input.consentRequestId,
      via: input.via,
      reason,
      errorCode: code,
      claimedTenantId: input.tenantId,
      expectedTenantId,
      actor: input.actor,
    });

  // The tenant this customer must be: typed at creation, or its domain resolved now (a domain can be re-pointed).
  let expected = customer.tenantId;
  if (customer.domain) {
    const resolved = await resolveTenantByDomain(cfg.authorityHost, customer.domain);
    if (!resolved.ok)
      return refusal(
        "domain_unresolved",
        `The customer's domain ${customer.domain} could not be resolved to a tenant at binding: ${resolved.reason}`,
        expected,
      );
    if (expected && resolved.tenantId !== expected) {
      return refusal(
        "domain_moved",
        `The customer's domain ${customer.domain} now resolves to tenant ${resolved.tenantId}, not ${expected} as when it was added. Check the customer record.`,
        expected,
      );
    }
    expected = resolved.tenantId;
  }
  if (expected && expected !== input.tenantId) {
    const named = customer.domain ? `${expected} (${customer.domain})` : expected;
    return refusal("tenant_mismatch", `Consent came from tenant ${input.tenantId}, but this customer's tenant is ${named}. Nothing was bound.`, expected);
  }
  const boundElsewhere = await prisma.customer.findFirst({ where: { tenantId: input.tenantId, id: { not: input.customerId } }, select: { id: true } });
  if (boundElsewhere) return refusal("tenant_already_bound", `Tenant ${input.tenantId} already belongs to another customer of this portal.`, expected);

  const verification = await verifyTenantConsent(tokenClient(), input.tenantId, cfg.requiredPermissions);
  if (!verification.ok && !verification.tenantProven) {
    return refusal(verification.code, `No consent could be proved for tenant ${input.tenantId}: ${verification.reason}`, expected);
  }

  // A name-only customer: the tenant proved itself, but nobody has said it is this customer. Ask a partner admin.
  const info = expected ? null : await findTenantInformation(apiClient(), cfg.partnerTenantId, input.tenantId);
  const now = new Date();
  const missing = verification.ok ? [] : verification.missingRoles;
  const status: CustomerStatus = !expected ? "AWAITING_CONFIRMATION" : verification.ok ? "CONSENTED" : "ERROR";
  try {
    return await prisma.$transaction(async (tx) => {
      const written = await tx.customer.updateMany({
        where: { id: input.customerId, status: { in: BINDABLE }, OR: [{ tenantId: null }, { tenantId: input.tenantId }] },
        data: {
          status,
          tenantId: input.tenantId,
          grantedRoles: verification.grantedRoles,
          permissionsCheckedAt: now,
          permissionsMissingSince: missing.length ? now : null,
          tenantDisplayName: info?.ok ? info.displayName : null,
          tenantDefaultDomain: info?.ok ? info.defaultDomainName : null,
          consentedAt: status === "AWAITING_CONFIRMATION" ? null : now,
          consentedVia: input.via,
          statusReason:
            status === "ERROR" && !verification.ok ? verification.reason : status === "AWAITING_CONFIRMATION" ? awaitingReason(input.tenantId, info) : null,
          statusFromSync: false,
          lastEventAt: now,
        },
      });
      if (written.count !== 1) throw new BindingRaceError();
      const common = {
        customerId: input.customerId,
        consentRequestId: input.consentRequestId,
        via: input.via,
        claimedTenantId: input.tenantId,
        expectedTenantId: expected,
        grantedRoles: verification.grantedRoles,
        actor: input.actor,
      };
      if (status === "AWAITING_CONFIRMATION") {
        return recordEvent(tx, { ...common, outcome: "AWAITING_CONFIRMATION", reason: awaitingReason(input.tenantId, info), missingRoles: missing });
      }
      if (verification.ok) return recordEvent(tx, { ...common, outcome: "CONSENTED", reason: "Admin consent verified with an app token for the tenant." });
      // The tenant is proven (a token with its tid) but a permission is missing: bind it, flag the gap.
      return recordEvent(tx, { ...common, outcome: "PERMISSIONS_MISSING", reason: verification.reason, errorCode: verification.code, missingRoles: missing });
    });
  } catch (err) {
    if (err instanceof BindingRaceError)
      return refusal(
        "customer_state_changed",
        "The customer changed while consent was being verified (another consent or a partner action came first). Nothing was bound.",
        expected,
      );
    // Two customers raced for one tenant: the unique index decided.
    if ((err as { code?: string }).code === "P2002")
      return refusal("tenant_already_bound", `Tenant ${input.tenantId} already belongs to another customer of this portal.`, expected);
    throw err;
  }
}

class BindingRaceError extends Error {}

function awaitingReason(tenantId: string, info: Awaited<ReturnType<typeof findTenantInformation>> | null): string {
  if (info?.ok) {
    const name = info.displayName ?? "(no name)";
    return `Tenant ${name} (${info.defaultDomainName ?? "no default domain"}, ${tenantId}) consented: a partner admin must confirm it is this customer before anything syncs.`;
  }
  return `Tenant ${tenantId} consented; its name could not be looked up (${info?.reason ?? "not tried"}). A partner admin must confirm it is this customer before anything syncs.`;
}

/**
 * An additional-permissions callback: the same tenant as bound, fresh tokens for the APIs the capability needs, and
 * the granted roles of those APIs replaced by what the tokens say. Nothing else about the customer changes.
 */
export async function recordPermissionUpgrade(input: BindInput & { requestedRoles: string[] }): Promise<string> {
  const prisma = db();
  const customer = await prisma.customer.findUniqueOrThrow({ where: { id: input.customerId }, select: { tenantId: true } });
  const refusal = (code: string, reason: string) =>
    refuse({
      customerId: input.customerId,
      consentRequestId: input.consentRequestId,
      via: input.via,
      reason,
      errorCode: code,
      claimedTenantId: input.tenantId,
      expectedTenantId: customer.tenantId,
      actor: input.actor,
    });
  if (!customer.tenantId) return refusal("customer_not_bound", "This customer has no bound tenant to add permissions to.");
  if (customer.tenantId !== input.tenantId) {
    return refusal(
      "tenant_mismatch",
      `Additional consent came from tenant ${input.tenantId}, but this customer's tenant is ${customer.tenantId}. Nothing changed.`,
    );
  }
  const requested = rolesAsPermissions(input.requestedRoles);
  const verification = await verifyTenantConsent(tokenClient(), input.tenantId, requested);
  if (!verification.ok && !verification.tenantProven)
    return refusal(verification.code, `No consent could be proved for tenant ${input.tenantId}: ${verification.reason}`);
  const resources = [...new Set(requested.map((p) => p.resource))];
  const now = new Date();
  return prisma.$transaction(async (tx) => {
    const current = await tx.customer.findUniqueOrThrow({ where: { id: input.customerId }, select: { grantedRoles: true } });
    const merged = mergeRoles(current.grantedRoles, resources, verification.grantedRoles);
    const written = await tx.customer.updateMany({
      where: { id: input.customerId, tenantId: input.tenantId },
      data: { grantedRoles: merged, permissionsCheckedAt: now, lastEventAt: now },
    });
    if (written.count !== 1)
      return recordEvent(tx, {
        customerId: input.customerId,
        consentRequestId: input.consentRequestId,
        via: input.via,
        outcome: "REFUSED",
        reason: "The customer's tenant changed meanwhile. Nothing changed.",
        errorCode: "customer_state_changed",
        actor: input.actor,
      });
    const missing = verification.ok ? [] : verification.missingRoles;
    return recordEvent(tx, {
      customerId: input.customerId,
      consentRequestId: input.consentRequestId,
      via: input.via,
      claimedTenantId: input.tenantId,
      expectedTenantId: customer.tenantId,
      outcome: missing.length ? "PERMISSIONS_MISSING" : "PERMISSIONS_UPDATED",
      reason: missing.length
        ? `Additional consent was given without ${missing.map(displayRole).join(", ")}.`
        : `Additional permissions granted: ${input.requestedRoles.map(displayRole).join(", ")}.`,
      grantedRoles: verification.grantedRoles,
      missingRoles: missing,
      actor: input.actor,
    });
  });
}

function rolesAsPermissions(roles: readonly string[]): RequiredPermission[] {
  return roles.map((r) => {
    const i = r.lastIndexOf("/");
    return { api: r.slice(0, i), resource: r.slice(0, i), permission: r.slice(i + 1), description: "" };
  });
}

type AwaitingTenant = { tenantId: string; grantedRoles: string[]; tenantDisplayName: string | null };
type Decision = { data: Prisma.CustomerUpdateManyMutationInput; outcome: "CONFIRMED" | "REJECTED"; reason: string; missingRoles?: string[]; message: string };

/**
 * A partner admin's answer for a customer awaiting confirmation: read it, write the decision only while it is still
 * awaiting that very tenant (two admins answering at once: one wins, the other is told), and record it.
 */
async function decideAwaitingTenant(viewer: Viewer, customerId: string, decide: (c: AwaitingTenant) => Decision): Promise<Result> {
  assertCan(viewer, "customers:onboard");
  return db().$transaction(async (tx) => {
    const c = await tx.customer.findFirst({
      where: { id: customerId, partnerId: viewer.partnerId, status: "AWAITING_CONFIRMATION" },
      select: { tenantId: true, grantedRoles: true, tenantDisplayName: true },
    });
    if (!c?.tenantId) return failure("This customer is not awaiting confirmation (someone may have confirmed or rejected it already).", "not_awaiting");
    const d = decide({ ...c, tenantId: c.tenantId });
    const written = await tx.customer.updateMany({
      where: { id: customerId, partnerId: viewer.partnerId, status: "AWAITING_CONFIRMATION", tenantId: c.tenantId },
      data: { ...d.data, lastEventAt: new Date() },
    });
    if (written.count !== 1) return failure("This customer changed meanwhile; reload the page.", "changed");
    await recordEvent(tx, {
      customerId,
      consentRequestId: null,
      via: "MANUAL",
      outcome: d.outcome,
      claimedTenantId: c.tenantId,
      grantedRoles: d.outcome === "CONFIRMED" ? c.grantedRoles : [],
      missingRoles: d.missingRoles ?? [],
      reason: d.reason,
      actor: `user:${viewer.userId}`,
    });
    return { ok: true as const, message: d.message };
  });
}

/** A partner admin confirms that the tenant which consented is this customer: sync may start. */
export async function confirmTenant(viewer: Viewer, customerId: string): Promise<Result> {
  const required = serverConfig().requiredPermissions.map((p) => qualifiedRole(p.resource, p.permission));
  return decideAwaitingTenant(viewer, customerId, (c) => {
    const missing = required.filter((r) => !c.grantedRoles.includes(r));
    return {
      data: {
        status: missing.length ? "ERROR" : "CONSENTED",
        statusReason: missing.length ? `Consent was granted without ${missing.map(displayRole).join(", ")}.` : null,
        consentedAt: new Date(),
      },
      outcome: "CONFIRMED",
      missingRoles: missing,
      reason: `Tenant ${c.tenantDisplayName ?? c.tenantId} (${c.tenantId}) confirmed as this customer by ${viewer.name}.`,
      message: "Tenant confirmed. The first sync starts within a minute.",
    };
  });
}

/** A partner admin says the tenant is not this customer: unbind it; the customer waits for a new consent. */
export async function rejectTenant(viewer: Viewer, customerId: string): Promise<Result> {
  return decideAwaitingTenant(viewer, customerId, (c) => {
    const reason = `Tenant ${c.tenantDisplayName ?? c.tenantId} (${c.tenantId}) was rejected by ${viewer.name}: it is not this customer. The app stays consented in that tenant until its admin removes it.`;
    return {
      data: {
        status: "PENDING",
        tenantId: null,
        grantedRoles: [],
        tenantDisplayName: null,
        tenantDefaultDomain: null,
        consentedAt: null,
        consentedVia: null,
        statusReason: reason,
        permissionsCheckedAt: null,
        permissionsMissingSince: null,
      },
      outcome: "REJECTED",
      reason,
      message: "Tenant rejected. Send the customer a new consent link.",
    };
  });
}

/** The roles an upgrade link asks for, when the capability is known and not yet fully granted. */
export function upgradeRequestFor(capabilityKey: string, grantedRoles: readonly string[]) {
  const capability = findUpgradeCapability(capabilityKey);
  if (!capability) return null;
  const roles = capabilityRoles(capability);
  // Delegated permissions are never visible in the app's token: a capability that has them can always be asked for.
  const delegated = (capability.delegated ?? []).map((p) => `${p.resource}/${p.permission}`);
  return { capability, roles, missing: [...roles.filter((r) => !grantedRoles.includes(r)), ...delegated] };
}
