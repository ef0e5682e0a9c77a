import type { Result } from "../result.ts";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { assertCan, type Viewer } from "../auth/viewer.ts";
import { serverConfig } from "../config/env.ts";
import { qualifiedRole } from "../config/permissions.ts";
import { adminConsentUrl, consentCallbackUrl, legacyConsentUrl } from "../consent/links.ts";
import { deriveState } from "../consent/state.ts";
import { displayRole } from "../consent/verify.ts";
import { db, type SqlParams } from "../db/client.ts";
import type { CustomerStatus, Prisma } from "../generated/prisma/client";
import { writeAudit } from "./audit.ts";
import { fieldErrorsOf } from "./form-errors.ts";
import { liveRequestWhere, newConsentRequestSecret } from "./consent.ts";
import { bindTenant, upgradeRequestFor } from "./tenant-binding.ts";
import { capabilityStatus } from "../config/capabilities.ts";
import { resolveTenantByDomain } from "../microsoft/tenant-directory.ts";
import { failure } from "../result.ts";
import { likeLiteral } from "./like.ts";
import { groupParam, pageParam } from "./filters.ts";
import { GUID_RE } from "../shared/ids.ts";
import { SAFE_TEXT } from "../shared/text.ts";

/** Every customer query starts here: the viewer's partner, and only the customers the viewer may see. */
export function customerScopeWhere(viewer: Viewer): Prisma.CustomerWhereInput {
  return viewer.customerScope === "all" ? { partnerId: viewer.partnerId } : { partnerId: viewer.partnerId, id: { in: [...viewer.customerScope] } };
}

/**
 * customerScopeWhere as plain SQL over the customer alias `c` (lib/db/client.ts sqlRows): the partner's customers, an
 * analyst's only (none assigned: nothing), narrowed to one group's members when a group is given.
 */
export function customerScopeSql(viewer: Viewer, p: SqlParams, group?: string): string[] {
  const and = [`c."partnerId" = ${p.add(viewer.partnerId)}::uuid`];
  if (viewer.customerScope !== "all") and.push(`c.id = ANY(${p.add([...viewer.customerScope])}::uuid[])`);
  if (group) and.push(`EXISTS (SELECT 1 FROM "CustomerGroupMember" m WHERE m."customerId" = c.id AND m."groupId" = ${p.add(group)}::uuid)`);
  return and;
}

export const REGIONS = ["global", "us", "eu", "uk", "au", "swa", "ina"] as const;
export const REGION_LABELS: Record<(typeof REGIONS)[number], string> = {
  global: "Global host (Microsoft routes to the tenant's region)",
  us: "United States",
  eu: "European Union",
  uk: "United Kingdom",
  au: "Australia",
  swa: "Switzerland",
  ina: "India",
};

const DOMAIN_RE = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export const newCustomerSchema = z.object({
  displayName: z
    .string()
    .trim()
    .min(2, "Enter the customer's name (at least 2 characters).")
    .max(100, "Keep the name under 100 characters.")
    .regex(SAFE_TEXT, "The name contains control characters."),
  tenantOrDomain: z
    .string()
    .trim()
    .max(253, "A domain has at most 253 characters.")
    .refine((v) => v === "" || GUID_RE.test(v) || DOMAIN_RE.test(v), "Enter a tenant ID (a GUID) or a verified domain such as contoso.com, or leave it empty.")
    .transform((v) => (v === "" ? null : v.toLowerCase())),
  region: z.enum(REGIONS, { message: "Choose the region where the customer's Defender data lives." }),
});

export async function createCustomer(viewer: Viewer, input: Record<string, unknown>): Promise<Result<{ id: string }>> {
  assertCan(viewer, "customers:onboard");
  const parsed = newCustomerSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  }
  const { displayName, tenantOrDomain, region } = parsed.data;
  const domain = tenantOrDomain && !GUID_RE.test(tenantOrDomain) ? tenantOrDomain : null;
  let tenantId = tenantOrDomain && !domain ? tenantOrDomain : null;
  if (domain) {
    // A domain names one tenant: resolve it now, so consent is accepted from that tenant only (and again at binding).
    const resolved = await resolveTenantByDomain(serverConfig().authorityHost, domain);
    if (!resolved.ok) return { ok: false, fieldErrors: { tenantOrDomain: resolved.reason } };
    tenantId = resolved.tenantId;
  }
  const prisma = db();
  if (tenantId) {
    const taken = await prisma.customer.findFirst({ where: { tenantId }, select: { id: true } });
    if (taken)
      return {
        ok: false,
        fieldErrors: {
          tenantOrDomain: domain
            ? `This domain's tenant (${tenantId}) already belongs to another customer.`
            : "This tenant ID already belongs to another customer.",
        },
      };
  }
  const id = randomUUID();
  try {
    await prisma.$transaction(async (tx) => {
      await tx.customer.create({ data: { id, partnerId: viewer.partnerId, displayName, domain, tenantId, region } });
      await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "customer.created", customerId: id, detail: { region, tenantId, domain } });
    });
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") {
      const target = JSON.stringify((err as { meta?: unknown }).meta ?? "");
      return target.includes("tenantId")
        ? { ok: false, fieldErrors: { tenantOrDomain: "This tenant ID already belongs to another customer." } }
        : { ok: false, fieldErrors: { displayName: "A customer with this name already exists." } };
    }
    throw err;
  }
  return { ok: true, value: { id } };
}

export const customerListQuery = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  status: z.enum(["PENDING", "AWAITING_CONFIRMATION", "CONSENTED", "DECLINED", "REVOKED", "ERROR"]).optional().catch(undefined),
  group: groupParam,
  sort: z.enum(["name", "status", "consentedAt", "lastEventAt", "createdAt"]).default("name").catch("name"),
  dir: z.enum(["asc", "desc"]).default("asc").catch("asc"),
  page: pageParam,
});
export type CustomerListQuery = z.infer<typeof customerListQuery>;

/** The customer list's URL for a query, with overrides (a sort header, a page link); the first page stays implicit. */
export function customerListHref(query: CustomerListQuery, override: Partial<Pick<CustomerListQuery, "sort" | "dir" | "page">> = {}): string {
  const q = { ...query, page: 1, ...override };
  const params = new URLSearchParams({
    ...(q.q ? { q: q.q } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.group ? { group: q.group } : {}),
    sort: q.sort,
    dir: q.dir,
    ...(q.page > 1 ? { page: String(q.page) } : {}),
  });
  return `/customers?${params}`;
}

/** Customers per page of the list: every customer is reachable by paging, none is silently left out. */
export const CUSTOMER_PAGE_SIZE = 50;

export async function listCustomers(viewer: Viewer, query: CustomerListQuery) {
  assertCan(viewer, "customers:read");
  const required = serverConfig().requiredPermissions.map((p) => qualifiedRole(p.resource, p.permission));
  const where: Prisma.CustomerWhereInput = { AND: [customerScopeWhere(viewer)] };
  if (query.status) (where.AND as Prisma.CustomerWhereInput[]).push({ status: query.status });
  // A group narrows the viewer's customers (AND), never widens them.
  if (query.group) (where.AND as Prisma.CustomerWhereInput[]).push({ groupMemberships: { some: { groupId: query.group } } });
  if (query.q) {
    const q = query.q;
    (where.AND as Prisma.CustomerWhereInput[]).push({
      OR: [
        { displayName: { contains: likeLiteral(q), mode: "insensitive" } },
        { domain: { contains: likeLiteral(q), mode: "insensitive" } },
        ...(GUID_RE.test(q) ? [{ tenantId: q.toLowerCase() }] : []),
      ],
    });
  }
  const orderBy: Prisma.CustomerOrderByWithRelationInput =
    query.sort === "name"
      ? { displayName: query.dir }
      : query.sort === "status"
        ? { status: query.dir }
        : query.sort === "consentedAt"
          ? { consentedAt: { sort: query.dir, nulls: "last" } }
          : query.sort === "lastEventAt"
            ? { lastEventAt: { sort: query.dir, nulls: "last" } }
            : { createdAt: query.dir };
  const [total, rows] = await Promise.all([
    db().customer.count({ where }),
    db().customer.findMany({
      where,
      orderBy: [orderBy, { id: "asc" }],
      skip: (query.page - 1) * CUSTOMER_PAGE_SIZE,
      take: CUSTOMER_PAGE_SIZE,
      select: {
        id: true,
        displayName: true,
        domain: true,
        region: true,
        status: true,
        tenantId: true,
        grantedRoles: true,
        consentedAt: true,
        consentedVia: true,
        lastEventAt: true,
        statusReason: true,
        consentEvents: { orderBy: { createdAt: "desc" }, take: 1, select: { outcome: true, reason: true, createdAt: true } },
      },
    }),
  ]);
  const customers = rows.map((r) => ({
    id: r.id,
    displayName: r.displayName,
    domain: r.domain,
    region: r.region,
    status: r.status,
    tenantId: r.tenantId,
    grantedCount: required.filter((q) => r.grantedRoles.includes(q)).length,
    requiredCount: required.length,
    consentedAt: r.consentedAt,
    consentedVia: r.consentedVia,
    lastEventAt: r.lastEventAt,
    lastEvent: r.consentEvents[0] ?? null,
  }));
  return { customers, total, page: query.page, pageSize: CUSTOMER_PAGE_SIZE };
}

/** Loads one customer the viewer may see, or null: an id the viewer may not see is indistinguishable from none. */
export async function findVisibleCustomer(viewer: Viewer, customerId: string) {
  if (!GUID_RE.test(customerId)) return null;
  return db().customer.findFirst({ where: { AND: [customerScopeWhere(viewer), { id: customerId }] } });
}

export async function getCustomerDetail(viewer: Viewer, customerId: string) {
  assertCan(viewer, "customers:read");
  const c = await findVisibleCustomer(viewer, customerId);
  if (!c) return null;
  const cfg = serverConfig();
  const canOnboard = viewer.role === "ADMIN";
  const now = new Date();
  const [liveRequest, upgradeRequests, events] = await Promise.all([
    db().consentRequest.findFirst({
      where: { customerId: c.id, ...liveRequestWhere(now) },
      orderBy: { createdAt: "desc" },
      select: { id: true, expiresAt: true, createdAt: true },
    }),
    canOnboard
      ? db().consentRequest.findMany({
          where: { customerId: c.id, ...liveRequestWhere(now, "UPGRADE") },
          orderBy: { createdAt: "desc" },
          select: { id: true, capability: true, expiresAt: true },
        })
      : Promise.resolve([]),
    db().consentEvent.findMany({
      where: { customerId: c.id },
      orderBy: { createdAt: "desc" },
      take: 25,
      select: {
        id: true,
        outcome: true,
        via: true,
        reason: true,
        errorCode: true,
        createdAt: true,
        missingRoles: true,
        grantedRoles: true,
        claimedTenantId: true,
        expectedTenantId: true,
        occurrences: true,
        lastSeenAt: true,
      },
    }),
  ]);
  let link = null;
  if (liveRequest && canOnboard) {
    const state = deriveState(cfg.authSecret, liveRequest.id);
    link = {
      expiresAt: liveRequest.expiresAt,
      createdAt: liveRequest.createdAt,
      consentUrl: adminConsentUrl({
        authorityHost: cfg.authorityHost,
        tenant: c.tenantId ?? c.domain ?? null,
        clientId: cfg.clientId,
        redirectUri: consentCallbackUrl(cfg.appUrl),
        state,
        permissions: cfg.requiredPermissions,
      }),
      onboardingUrl: `${cfg.appUrl}/onboard/${state}`,
    };
  }
  const permissions = cfg.requiredPermissions.map((p) => ({
    api: p.api,
    permission: p.permission,
    description: p.description,
    granted: c.grantedRoles.includes(qualifiedRole(p.resource, p.permission)),
  }));
  const capabilities = capabilityStatus(cfg.requiredPermissions, c.grantedRoles).map((cap) => {
    const live = upgradeRequests.find((r) => r.capability === cap.key);
    return {
      ...cap,
      upgradeLink: live ? { expiresAt: live.expiresAt, onboardingUrl: `${cfg.appUrl}/onboard/${deriveState(cfg.authSecret, live.id)}` } : null,
      // Upgrades go to a bound, consented tenant; reading is granted by onboarding itself.
      canRequest: canOnboard && cap.key !== "read" && !cap.granted && Boolean(c.tenantId) && (c.status === "CONSENTED" || c.status === "ERROR"),
    };
  });
  return {
    id: c.id,
    displayName: c.displayName,
    domain: c.domain,
    tenantDisplayName: c.tenantDisplayName,
    tenantDefaultDomain: c.tenantDefaultDomain,
    permissionsCheckedAt: c.permissionsCheckedAt,
    permissionsMissingSince: c.permissionsMissingSince,
    capabilities,
    region: c.region,
    status: c.status,
    statusReason: c.statusReason,
    tenantId: c.tenantId,
    consentedAt: c.consentedAt,
    consentedVia: c.consentedVia,
    permissions,
    extraGrantedRoles: c.grantedRoles.filter((g) => !permissions.some((p) => g.endsWith(`/${p.permission}`))).map(displayRole),
    link,
    legacyLink: canOnboard ? legacyConsentUrl({ authorityHost: cfg.authorityHost, clientId: cfg.clientId }) : null,
    canOnboard,
    events: events.map((e) => ({ ...e, missingRoles: e.missingRoles.map(displayRole) })),
    awaitingConfirmation: c.status === "AWAITING_CONFIRMATION",
  };
}

const CONSENTABLE: CustomerStatus[] = ["PENDING", "DECLINED", "ERROR", "REVOKED"];

/**
 * An additional-permissions link for one capability of a bound customer: single use, expiring, bound to the customer,
 * and sent to the bound tenant only. Any earlier unused link for the same capability stops working.
 */
export async function createUpgradeLink(viewer: Viewer, customerId: string, capabilityKey: string): Promise<Result> {
  assertCan(viewer, "customers:onboard");
  const c = await findVisibleCustomer(viewer, customerId);
  if (!c) return failure("Customer not found.", "not_found");
  if (!c.tenantId || (c.status !== "CONSENTED" && c.status !== "ERROR"))
    return failure("Permissions can be added only to a customer whose tenant is consented and confirmed.", "not_bound");
  const request = upgradeRequestFor(capabilityKey, c.grantedRoles);
  if (!request) return failure("Unknown capability.", "bad_capability");
  if (request.missing.length === 0) return failure(`${request.capability.label} is already granted.`, "already_granted");
  const { id, stateHash } = newConsentRequestSecret();
  const ttlHours = serverConfig().consentLinkTtlHours;
  const now = new Date();
  await db().$transaction(async (tx) => {
    await tx.consentRequest.updateMany({
      where: { customerId: c.id, purpose: "UPGRADE", capability: request.capability.key, usedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    await tx.consentRequest.create({
      data: {
        id,
        customerId: c.id,
        stateHash,
        purpose: "UPGRADE",
        capability: request.capability.key,
        permissions: request.roles,
        expiresAt: new Date(now.getTime() + ttlHours * 3_600_000),
        createdById: viewer.userId,
      },
    });
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "consent.upgrade_link_created",
      customerId: c.id,
      detail: { requestId: id, capability: request.capability.key, ttlHours },
    });
  });
  return { ok: true, message: `Additional-permissions link for ${request.capability.label} created.` };
}

/** A fresh single-use consent link for the customer; any earlier live link stops working. */
export async function createConsentLink(viewer: Viewer, customerId: string): Promise<Result> {
  assertCan(viewer, "customers:onboard");
  const c = await findVisibleCustomer(viewer, customerId);
  if (!c) return { ok: false, fieldErrors: {}, formError: "Customer not found." };
  if (!CONSENTABLE.includes(c.status)) return { ok: false, fieldErrors: {}, formError: "This customer has already consented." };
  const { id, stateHash } = newConsentRequestSecret();
  const ttlHours = serverConfig().consentLinkTtlHours;
  const now = new Date();
  await db().$transaction(async (tx) => {
    await tx.consentRequest.updateMany({ where: { customerId: c.id, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
    await tx.consentRequest.create({
      data: { id, customerId: c.id, stateHash, expiresAt: new Date(now.getTime() + ttlHours * 3_600_000), createdById: viewer.userId },
    });
    await tx.customer.update({ where: { id: c.id }, data: { status: "PENDING", lastEventAt: now } });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "consent.link_created", customerId: c.id, detail: { requestId: id, ttlHours } });
  });
  return { ok: true };
}

export async function revokeConsentLinks(viewer: Viewer, customerId: string): Promise<Result> {
  assertCan(viewer, "customers:onboard");
  const c = await findVisibleCustomer(viewer, customerId);
  if (!c) return { ok: false, fieldErrors: {}, formError: "Customer not found." };
  await db().$transaction(async (tx) => {
    const { count } = await tx.consentRequest.updateMany({ where: { customerId: c.id, usedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "consent.link_revoked", customerId: c.id, detail: { revoked: count } });
  });
  return { ok: true };
}

const manualTenantSchema = z.object({
  tenantId: z.string().trim().regex(GUID_RE, "Enter the tenant ID the customer reported: a GUID such as 00000000-0000-0000-0000-000000000000."),
});

/**
 * After the docs' legacy link the partner types the tenant ID the customer reports; it is verified exactly like a
 * callback (fresh app tokens, tid and roles), so a typo or a guess binds nothing.
 */
export async function submitManualTenantId(
  viewer: Viewer,
  customerId: string,
  input: Record<string, unknown>,
): Promise<Result<{ outcome: string; reason: string }>> {
  assertCan(viewer, "customers:onboard");
  const parsed = manualTenantSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: { tenantId: parsed.error.issues[0]!.message } };
  const c = await findVisibleCustomer(viewer, customerId);
  if (!c) return { ok: false, fieldErrors: {}, formError: "Customer not found." };
  if (!CONSENTABLE.includes(c.status)) return { ok: false, fieldErrors: {}, formError: "This customer has already consented." };
  const eventId = await bindTenant({
    customerId: c.id,
    consentRequestId: null,
    tenantId: parsed.data.tenantId.toLowerCase(),
    via: "MANUAL",
    actor: `user:${viewer.userId}`,
  });
  const ev = await db().consentEvent.findUniqueOrThrow({ where: { id: eventId }, select: { outcome: true, reason: true } });
  if (ev.outcome === "CONSENTED" || ev.outcome === "AWAITING_CONFIRMATION")
    return { ok: true, value: { outcome: ev.outcome, reason: ev.reason }, message: ev.reason };
  return { ok: false, fieldErrors: { tenantId: ev.reason } };
}
