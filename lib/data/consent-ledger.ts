import { randomUUID } from "node:crypto";
import { db } from "../db/client.ts";
import type { ConsentOutcome, ConsentVia, Prisma } from "../generated/prisma/client";
import { writeAudit, type AuditActor } from "./audit.ts";
import { GUID_RE } from "../shared/ids.ts";

/** The consent ledger: every consent outcome, accepted or refused, with its audit entry. */

export interface RecordInput {
  customerId: string | null;
  consentRequestId: string | null;
  outcome: ConsentOutcome;
  via: ConsentVia;
  reason: string;
  errorCode?: string | null;
  claimedTenantId?: string | null;
  expectedTenantId?: string | null;
  grantedRoles?: string[];
  missingRoles?: string[];
  actor: AuditActor;
}

const guidOrNull = (v: string | null | undefined) => (v && GUID_RE.test(v) ? v.toLowerCase() : null);

export async function recordEvent(tx: Prisma.TransactionClient, input: RecordInput): Promise<string> {
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
      claimedTenantId: guidOrNull(input.claimedTenantId),
      expectedTenantId: guidOrNull(input.expectedTenantId),
      grantedRoles: input.grantedRoles ?? [],
      missingRoles: input.missingRoles ?? [],
    },
  });
  await writeAudit(tx, {
    actor: input.actor,
    action: input.outcome === "REFUSED" ? "consent.refused" : `consent.${input.outcome.toLowerCase()}`,
    customerId: input.customerId,
    detail: {
      eventId: id,
      via: input.via,
      code: input.errorCode ?? null,
      claimedTenantId: guidOrNull(input.claimedTenantId),
      expectedTenantId: guidOrNull(input.expectedTenantId),
    },
  });
  return id;
}

/**
 * Records a refusal and nothing else: no customer, request or tenant binding changes. Refusals of one known link
 * collapse into one ledger row per link and code, counted (a flood of replays writes one row, not thousands); the
 * audit log gets the first one. A manual submission (no link) is one row each: a signed-in admin made it.
 */
export async function refuse(input: Omit<RecordInput, "outcome">): Promise<string> {
  if (!input.consentRequestId || !input.errorCode) return db().$transaction((tx) => recordEvent(tx, { ...input, outcome: "REFUSED" }));
  const dedupeKey = `${input.consentRequestId}:${input.errorCode}`;
  const id = randomUUID();
  const rows = await db().$queryRaw<{ id: string; inserted: boolean }[]>`
    INSERT INTO "ConsentEvent" (id, "customerId", "consentRequestId", outcome, via, reason, "errorCode", "claimedTenantId", "expectedTenantId",
                                "grantedRoles", "missingRoles", "dedupeKey", occurrences, "lastSeenAt", "createdAt")
    VALUES (${id}::uuid, ${input.customerId}::uuid, ${input.consentRequestId}::uuid, 'REFUSED', ${input.via}::"ConsentVia", ${input.reason},
            ${input.errorCode}, ${guidOrNull(input.claimedTenantId)}, ${guidOrNull(input.expectedTenantId)}, ARRAY[]::text[], ARRAY[]::text[],
            ${dedupeKey}, 1, now(), now())
    ON CONFLICT ("dedupeKey") DO UPDATE SET occurrences = "ConsentEvent".occurrences + 1, "lastSeenAt" = now()
    RETURNING id::text AS id, (xmax = 0) AS inserted`;
  const row = rows[0]!;
  if (row.inserted) {
    await db().$transaction((tx) =>
      writeAudit(tx, {
        actor: input.actor,
        action: "consent.refused",
        customerId: input.customerId,
        detail: { eventId: row.id, via: input.via, code: input.errorCode },
      }),
    );
  }
  return row.id;
}
