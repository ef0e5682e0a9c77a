import { randomUUID } from "node:crypto";
import { z } from "zod";
import { assertCan, type Viewer } from "../auth/viewer.ts";
import { db, SqlParams, sqlRows } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import { failure, type Result } from "../result.ts";
import { GUID_RE } from "../shared/ids.ts";
import { writeAudit } from "./audit.ts";
import { customerScopeSql } from "./customers.ts";
import { fieldErrorsOf } from "./form-errors.ts";
import { markSlaStale } from "../sla/clocks.ts";
import { likeLiteral } from "./like.ts";
import { SAFE_TEXT } from "../shared/text.ts";

/**
 * Customer groups ("Gold 24×7", "Business hours"): admins create them, fill them with customers and assign analysts
 * to whole groups (an analyst sees direct ∪ group assignments: lib/data/users.ts). Managing groups is the same power
 * as assigning analysts to customers, so it asks `customers:assign`. As a filter a group only ever narrows: it is
 * added to the viewer's customer scope, never used instead of it.
 */

/** The customers of one group, as a condition on Customer: AND it with customerScopeWhere, never use it alone. */
export function groupMemberWhere(groupId: string): Prisma.CustomerWhereInput {
  return { groupMemberships: { some: { groupId } } };
}

/**
 * Groups the viewer may filter by: every group of the partner for an admin; for an analyst, the groups that contain
 * at least one customer they see (with the count of those customers only).
 */
export interface FilterGroup {
  id: string;
  name: string;
  customers: number;
}

export async function listFilterGroups(viewer: Viewer): Promise<FilterGroup[]> {
  assertCan(viewer, "customers:read");
  const p = new SqlParams();
  return sqlRows<FilterGroup>(`${filterGroupsSql(viewer, p)} ORDER BY g.name ASC, g.id ASC`, p.values);
}

/**
 * listFilterGroups' statement without its order, for lib/data/queue-frame.ts to read beside the queue's other parts.
 * Plain SQL (every queue page asks: lib/db/client.ts sqlRows). An analyst's groups and counts are those of their customers.
 */
export function filterGroupsSql(viewer: Viewer, p: SqlParams): string {
  const partner = p.add(viewer.partnerId);
  const members = `FROM "CustomerGroupMember" m JOIN "Customer" c ON c.id = m."customerId" WHERE m."groupId" = g.id AND ${customerScopeSql(viewer, p).join(" AND ")}`;
  return `SELECT g.id, g.name, (SELECT count(*)::int ${members}) AS customers FROM "CustomerGroup" g
      WHERE g."partnerId" = ${partner}::uuid ${viewer.customerScope === "all" ? "" : `AND EXISTS (SELECT 1 ${members})`}`;
}

/** The group a filter names, if the viewer may pick it (else the filter shows as "unknown group" and matches nothing). */
export async function namedFilterGroup(viewer: Viewer, groupId: string | undefined) {
  if (!groupId) return null;
  return (await listFilterGroups(viewer)).find((g) => g.id === groupId) ?? null;
}

/** Settings → Groups: every group of the partner with its counts (admin). */
export async function listGroups(viewer: Viewer) {
  assertCan(viewer, "customers:assign");
  const rows = await db().customerGroup.findMany({
    where: { partnerId: viewer.partnerId },
    orderBy: { name: "asc" },
    select: { id: true, name: true, description: true, createdAt: true, _count: { select: { members: true, analysts: true } } },
  });
  return rows.map((g) => ({
    id: g.id,
    name: g.name,
    description: g.description,
    createdAt: g.createdAt,
    customers: g._count.members,
    analysts: g._count.analysts,
  }));
}

/** One group with its customers and the partner's analysts (ticked when assigned), or null when not the partner's. */
export async function getGroup(viewer: Viewer, groupId: string) {
  assertCan(viewer, "customers:assign");
  if (!GUID_RE.test(groupId)) return null;
  const group = await db().customerGroup.findFirst({
    where: { id: groupId, partnerId: viewer.partnerId },
    select: {
      id: true,
      name: true,
      description: true,
      members: { orderBy: { customer: { displayName: "asc" } }, select: { customer: { select: { id: true, displayName: true, status: true } } } },
      analysts: { select: { userId: true } },
    },
  });
  if (!group) return null;
  const analysts = await db().portalUser.findMany({
    where: { partnerId: viewer.partnerId, role: "ANALYST" },
    orderBy: { displayName: "asc" },
    select: { id: true, displayName: true, email: true },
  });
  const assigned = new Set(group.analysts.map((a) => a.userId));
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    customers: group.members.map((m) => m.customer),
    analysts: analysts.map((a) => ({ ...a, assigned: assigned.has(a.id) })),
  };
}

export type GroupDetail = NonNullable<Awaited<ReturnType<typeof getGroup>>>;

const groupInput = z.object({
  name: z
    .string()
    .trim()
    .min(2, "Name the group (at least 2 characters).")
    .max(80, "Keep the name under 80 characters.")
    .regex(SAFE_TEXT, "The name contains control characters."),
  description: z
    .string()
    .trim()
    .max(300, "Keep the description under 300 characters.")
    .regex(SAFE_TEXT, "The description contains control characters.")
    .optional()
    .default(""),
});

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === "P2002";
const NAME_TAKEN = { ok: false as const, fieldErrors: { name: "A group with this name already exists." } };

export async function createGroup(viewer: Viewer, input: unknown): Promise<Result<{ id: string }>> {
  assertCan(viewer, "customers:assign");
  const parsed = groupInput.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const id = randomUUID();
  try {
    await db().$transaction(async (tx) => {
      await tx.customerGroup.create({ data: { id, partnerId: viewer.partnerId, ...parsed.data } });
      await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "group.created", detail: { groupId: id, name: parsed.data.name } });
    });
  } catch (err) {
    if (isUniqueViolation(err)) return NAME_TAKEN;
    throw err;
  }
  return { ok: true, message: `Group “${parsed.data.name}” created.`, value: { id } };
}

export async function updateGroup(viewer: Viewer, groupId: string, input: unknown): Promise<Result> {
  assertCan(viewer, "customers:assign");
  const parsed = groupInput.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  if (!GUID_RE.test(groupId)) return failure("Group not found.", "not_found");
  try {
    return await db().$transaction(async (tx) => {
      const before = await tx.customerGroup.findFirst({ where: { id: groupId, partnerId: viewer.partnerId }, select: { name: true } });
      // Scoped by partner in the writing statement too (dub's updateMany + count): another partner's id changes nothing.
      const { count } = await tx.customerGroup.updateMany({ where: { id: groupId, partnerId: viewer.partnerId }, data: parsed.data });
      if (!before || count === 0) return failure("Group not found.", "not_found");
      await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "group.updated", detail: { groupId, name: parsed.data.name, previousName: before.name } });
      return { ok: true, message: "Saved." } as const;
    });
  } catch (err) {
    if (isUniqueViolation(err)) return NAME_TAKEN;
    throw err;
  }
}

export async function deleteGroup(viewer: Viewer, groupId: string): Promise<Result> {
  assertCan(viewer, "customers:assign");
  if (!GUID_RE.test(groupId)) return failure("Group not found.", "not_found");
  return db().$transaction(async (tx) => {
    const group = await tx.customerGroup.findFirst({
      where: { id: groupId, partnerId: viewer.partnerId },
      select: { name: true, _count: { select: { members: true, analysts: true } } },
    });
    if (!group) return failure("Group not found.", "not_found");
    // Its members' SLA deadlines may have come from this group's policy: recompute them (before the rows go).
    const members = await tx.customerGroupMember.findMany({ where: { groupId }, select: { customerId: true } });
    await markSlaStale(tx, { customerIds: members.map((m) => m.customerId) });
    await tx.customerGroup.deleteMany({ where: { id: groupId, partnerId: viewer.partnerId } });
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "group.deleted",
      detail: { groupId, name: group.name, customers: group._count.members, analysts: group._count.analysts },
    });
    return { ok: true, message: `Group “${group.name}” deleted.` } as const;
  });
}

const idList = z.array(z.string().regex(GUID_RE)).max(5000);

/** Adds customers of the partner to a group (ones already in it stay). */
export async function addGroupCustomers(viewer: Viewer, groupId: string, input: unknown): Promise<Result> {
  assertCan(viewer, "customers:assign");
  const parsed = idList.safeParse(input);
  if (!parsed.success || parsed.data.length === 0) return failure("Choose customers to add.", "bad_request");
  const group = GUID_RE.test(groupId)
    ? await db().customerGroup.findFirst({ where: { id: groupId, partnerId: viewer.partnerId }, select: { id: true, name: true } })
    : null;
  if (!group) return failure("Group not found.", "not_found");
  const customers = await db().customer.findMany({ where: { id: { in: parsed.data }, partnerId: viewer.partnerId }, select: { id: true } });
  if (customers.length !== new Set(parsed.data).size) return failure("Customer not found.", "not_found");
  const added = await db().$transaction(async (tx) => {
    const { count } = await tx.customerGroupMember.createMany({ data: customers.map((c) => ({ groupId, customerId: c.id })), skipDuplicates: true });
    await markSlaStale(tx, { customerIds: customers.map((c) => c.id) });
    for (const c of customers)
      await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "group.customer_added", customerId: c.id, detail: { groupId, group: group.name } });
    return count;
  });
  return { ok: true, message: `${added} customer${added === 1 ? "" : "s"} added.` };
}

export async function removeGroupCustomer(viewer: Viewer, groupId: string, customerId: string): Promise<Result> {
  assertCan(viewer, "customers:assign");
  if (!GUID_RE.test(groupId) || !GUID_RE.test(customerId)) return failure("Not found.", "not_found");
  return db().$transaction(async (tx) => {
    const group = await tx.customerGroup.findFirst({ where: { id: groupId, partnerId: viewer.partnerId }, select: { name: true } });
    const { count } = group
      ? await tx.customerGroupMember.deleteMany({ where: { groupId, customerId, customer: { partnerId: viewer.partnerId } } })
      : { count: 0 };
    if (!group || count === 0) return failure("This customer is not in the group.", "not_found");
    await markSlaStale(tx, { customerIds: [customerId] });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "group.customer_removed", customerId, detail: { groupId, group: group.name } });
    return { ok: true, message: "Removed from the group." } as const;
  });
}

/** Replaces the analysts assigned to a group; only analysts of the same partner. */
export async function setGroupAnalysts(viewer: Viewer, groupId: string, input: unknown): Promise<Result> {
  assertCan(viewer, "customers:assign");
  const parsed = idList.safeParse(input);
  if (!parsed.success) return failure("Choose analysts from the list.", "bad_request");
  const group = GUID_RE.test(groupId)
    ? await db().customerGroup.findFirst({ where: { id: groupId, partnerId: viewer.partnerId }, select: { id: true, name: true } })
    : null;
  if (!group) return failure("Group not found.", "not_found");
  const analysts = await db().portalUser.findMany({ where: { id: { in: parsed.data }, partnerId: viewer.partnerId, role: "ANALYST" }, select: { id: true } });
  if (analysts.length !== new Set(parsed.data).size) return failure("Only analysts of this partner can be assigned.", "not_an_analyst");
  await db().$transaction(async (tx) => {
    await tx.analystGroupAssignment.deleteMany({ where: { groupId } });
    if (analysts.length) await tx.analystGroupAssignment.createMany({ data: analysts.map((a) => ({ userId: a.id, groupId })) });
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "group.analysts_set",
      detail: { groupId, group: group.name, analysts: analysts.map((a) => a.id) },
    });
  });
  return { ok: true, message: analysts.length ? `Saved: ${analysts.length} analyst(s) assigned.` : "Saved: no analyst is assigned." };
}

/** The customer page's membership control: every group of the partner, ticked where the customer is a member. */
export async function getCustomerGroups(viewer: Viewer, customerId: string) {
  assertCan(viewer, "customers:assign");
  if (!GUID_RE.test(customerId)) return null;
  const customer = await db().customer.findFirst({ where: { id: customerId, partnerId: viewer.partnerId }, select: { id: true } });
  if (!customer) return null;
  const groups = await db().customerGroup.findMany({
    where: { partnerId: viewer.partnerId },
    orderBy: { name: "asc" },
    select: { id: true, name: true, members: { where: { customerId }, select: { customerId: true } } },
  });
  return groups.map((g) => ({ id: g.id, name: g.name, member: g.members.length > 0 }));
}

/** Replaces the groups a customer belongs to (from the customer page). */
export async function setCustomerGroups(viewer: Viewer, customerId: string, input: unknown): Promise<Result> {
  assertCan(viewer, "customers:assign");
  const parsed = idList.safeParse(input);
  if (!parsed.success) return failure("Choose groups from the list.", "bad_request");
  const customer = GUID_RE.test(customerId)
    ? await db().customer.findFirst({ where: { id: customerId, partnerId: viewer.partnerId }, select: { id: true } })
    : null;
  if (!customer) return failure("Customer not found.", "not_found");
  const groups = await db().customerGroup.findMany({ where: { id: { in: parsed.data }, partnerId: viewer.partnerId }, select: { id: true } });
  if (groups.length !== new Set(parsed.data).size) return failure("Group not found.", "not_found");
  await db().$transaction(async (tx) => {
    await tx.customerGroupMember.deleteMany({ where: { customerId, group: { partnerId: viewer.partnerId } } });
    if (groups.length) await tx.customerGroupMember.createMany({ data: groups.map((g) => ({ groupId: g.id, customerId })) });
    await markSlaStale(tx, { customerIds: [customerId] });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "customer.groups_set", customerId, detail: { groups: groups.map((g) => g.id) } });
  });
  return { ok: true, message: groups.length ? `Saved: member of ${groups.length} group(s).` : "Saved: in no group." };
}

/** Customers of the partner not in the group whose name matches `q` (the group page's "add customers" picker). */
export async function candidateCustomers(viewer: Viewer, groupId: string, q: string) {
  assertCan(viewer, "customers:assign");
  return db().customer.findMany({
    where: {
      partnerId: viewer.partnerId,
      groupMemberships: { none: { groupId } },
      ...(q ? { displayName: { contains: likeLiteral(q.slice(0, 100)), mode: "insensitive" as const } } : {}),
    },
    orderBy: { displayName: "asc" },
    take: 200,
    select: { id: true, displayName: true },
  });
}
