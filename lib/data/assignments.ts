import { z } from "zod";
import { assertCan, type Viewer } from "../auth/viewer.ts";
import { db } from "../db/client.ts";
import { failure, type Result } from "../result.ts";
import { writeAudit } from "./audit.ts";

/** Analysts of the partner and, per customer, who is assigned (admin only). */
export async function getCustomerAssignments(viewer: Viewer, customerId: string) {
  assertCan(viewer, "customers:assign");
  const customer = await db().customer.findFirst({ where: { id: customerId, partnerId: viewer.partnerId }, select: { id: true } });
  if (!customer) return null;
  const analysts = await db().portalUser.findMany({
    where: { partnerId: viewer.partnerId, role: "ANALYST" },
    orderBy: { displayName: "asc" },
    select: { id: true, displayName: true, email: true, assignments: { where: { customerId }, select: { customerId: true } } },
  });
  return analysts.map((a) => ({ id: a.id, displayName: a.displayName, email: a.email, assigned: a.assignments.length > 0 }));
}

const assignmentInput = z.object({ analystIds: z.array(z.string().uuid()).max(1000) });

/** Replaces the set of analysts assigned to a customer. Only analysts of the same partner can be assigned. */
export async function setCustomerAssignments(viewer: Viewer, customerId: string, input: unknown): Promise<Result> {
  assertCan(viewer, "customers:assign");
  const parsed = assignmentInput.safeParse(input);
  if (!parsed.success) return failure("Choose analysts from the list.", "bad_request");
  const customer = await db().customer.findFirst({ where: { id: customerId, partnerId: viewer.partnerId }, select: { id: true } });
  if (!customer) return failure("Customer not found.", "not_found");
  const analysts = await db().portalUser.findMany({
    where: { id: { in: parsed.data.analystIds }, partnerId: viewer.partnerId, role: "ANALYST" },
    select: { id: true },
  });
  if (analysts.length !== new Set(parsed.data.analystIds).size) return failure("Only analysts of this partner can be assigned.", "not_an_analyst");
  await db().$transaction(async (tx) => {
    await tx.analystAssignment.deleteMany({ where: { customerId } });
    if (analysts.length) await tx.analystAssignment.createMany({ data: analysts.map((a) => ({ userId: a.id, customerId })) });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "customer.assignments_set", customerId, detail: { analysts: analysts.map((a) => a.id) } });
  });
  return { ok: true, message: analysts.length ? `Saved: ${analysts.length} analyst(s) assigned.` : "Saved: no analyst is assigned." };
}
