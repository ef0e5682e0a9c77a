import type { Prisma } from "../generated/prisma/client";

type Tx = Prisma.TransactionClient;

export type AuditActor = `user:${string}` | "customer-admin" | "system" | "anonymous";

/** Appends to the audit log inside the caller's transaction. `detail` must never hold a secret or a token. */
export async function writeAudit(
  tx: Tx,
  entry: { actor: AuditActor; action: string; customerId?: string | null; detail?: Record<string, unknown> },
): Promise<void> {
  await tx.auditEntry.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      customerId: entry.customerId ?? null,
      detail: (entry.detail ?? {}) as Prisma.InputJsonValue,
    },
  });
}
