import { z } from "zod";
import { checkDetermination, triageFields } from "../validations/triage.ts";
import { assertCan, type Viewer } from "../auth/viewer.ts";
import { MICROSOFT_APIS, qualifiedRole } from "../config/permissions.ts";
import { db } from "../db/client.ts";
import { MicrosoftApiError } from "../microsoft/api-client.ts";
import { apiClient } from "../microsoft/clients.ts";
import { DelegatedTokenError } from "../microsoft/delegated.ts";
import { analystForbiddenMessage, delegatedFailureMessage, parseWriteMode, writeClientFor, type WriteClient } from "../microsoft/write-client.ts";
import { regionOf } from "../microsoft/hosts.ts";
import { fetchIncident } from "../sync/sources.ts";
import { upsertIncidents } from "../sync/store.ts";
import type { Result } from "../result.ts";
import { writeAudit } from "./audit.ts";
import { fieldErrorsOf } from "./form-errors.ts";
import { customerScopeWhere } from "./customers.ts";

/** Updating incidents at Microsoft needs this app role in the customer's tenant (api-update-incidents.md). */
export const TRIAGE_ROLE = qualifiedRole(MICROSOFT_APIS.defenderXdr.resource, "Incident.ReadWrite.All");

const triageInput = z.object(triageFields).superRefine((v, ctx) => {
  checkDetermination(v, ctx);
  if (v.status === undefined && v.assign === "keep" && v.classification === undefined && !v.comment) {
    ctx.addIssue({ code: "custom", path: ["form"], message: "Nothing to change: pick a status, an assignment, a classification or write a comment." });
  }
});

async function findTriageable(viewer: Viewer, incidentId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(incidentId)) return null;
  return db().incident.findFirst({
    where: { AND: [{ id: incidentId }, { customer: customerScopeWhere(viewer) }] },
    select: {
      id: true,
      source: true,
      sourceId: true,
      customer: { select: { id: true, displayName: true, tenantId: true, region: true, grantedRoles: true, writeMode: true } },
    },
  });
}

/**
 * Whether the customer granted the permission triage needs (the page explains when not). In "analyst" write mode the
 * app's role does not matter: the analyst's delegated permission and Defender role decide, and Microsoft answers.
 */
export function canTriageCustomer(customer: { grantedRoles: string[]; writeMode?: string }): boolean {
  return parseWriteMode(customer.writeMode) === "analyst" || customer.grantedRoles.includes(TRIAGE_ROLE);
}

/**
 * Triage at Microsoft (the source of truth), then store Microsoft's fresh copy: status, assignment (to the signed-in
 * analyst's e-mail, as Defender shows it), classification/determination and a comment, in one PATCH.
 */
export async function triageIncident(viewer: Viewer, incidentId: string, fields: Record<string, unknown>): Promise<Result> {
  assertCan(viewer, "incidents:triage");
  const incident = await findTriageable(viewer, incidentId);
  if (!incident?.customer.tenantId) return { ok: false, fieldErrors: {}, formError: "Incident not found." };
  if (!canTriageCustomer(incident.customer)) {
    return {
      ok: false,
      fieldErrors: {},
      formError:
        "This customer has not granted Incident.ReadWrite.All (Microsoft Threat Protection), which updating incidents needs. A partner admin can ask the customer for it with an additional-permissions link (Incident updates) on the customer's page.",
    };
  }
  const parsed = triageInput.safeParse(fields);
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error);
    return { ok: false, fieldErrors, formError: fieldErrors.form };
  }
  const v = parsed.data;
  const patch: Record<string, unknown> = {};
  if (v.status) patch.status = v.status;
  if (v.assign === "me") patch.assignedTo = viewer.email;
  if (v.assign === "unassign") patch.assignedTo = null;
  if (v.classification) patch.classification = v.classification;
  if (v.determination) patch.determination = v.determination;
  if (v.comment) patch.comment = v.comment;
  const target = { tenantId: incident.customer.tenantId, region: regionOf(incident.customer.region) };
  const customer = { ...incident.customer, tenantId: incident.customer.tenantId };
  let writer: WriteClient;
  try {
    // The customer's write mode decides whose token makes the change (issue 13); reads below stay the app's.
    writer = await writeClientFor(db(), apiClient(), viewer.userId, customer);
    // The Graph incident id and the Defender XDR incidentId are the same number, so one PATCH serves both sources.
    await writer.api.patchJson("xdr", target, `/api/incidents/${encodeURIComponent(incident.sourceId)}`, patch);
  } catch (err) {
    if (err instanceof DelegatedTokenError)
      return { ok: false, fieldErrors: {}, formError: delegatedFailureMessage(err, customer.displayName), code: `delegated_${err.kind}` };
    if (err instanceof MicrosoftApiError) {
      if (err.httpStatus === 403 && parseWriteMode(customer.writeMode) === "analyst") {
        const username = (
          await db().delegatedTokenCache.findUnique({
            where: { userId_customerId: { userId: viewer.userId, customerId: customer.id } },
            select: { username: true },
          })
        )?.username;
        return {
          ok: false,
          fieldErrors: {},
          formError: analystForbiddenMessage(customer.displayName, username ?? null, err.message),
          code: "analyst_forbidden",
        };
      }
      return { ok: false, fieldErrors: {}, formError: `Microsoft did not accept the change: ${err.message}` };
    }
    throw err;
  }
  const source = incident.source as "graph" | "defender";
  const fresh = await fetchIncident(apiClient(), target, source, incident.sourceId).catch(() => null);
  await db().$transaction(async (tx) => {
    const by = { origin: "portal" as const, actor: `user:${viewer.userId}`, writeContext: writer.context, microsoftActor: writer.microsoftActor };
    if (fresh) await upsertIncidents(tx, incident.customer.id, source, [fresh], new Date(), by);
    await writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "incident.triaged",
      customerId: incident.customer.id,
      detail: {
        incidentId: incident.id,
        sourceId: incident.sourceId,
        ...patch,
        comment: v.comment ? `${v.comment.length} characters` : undefined,
        writeContext: writer.context,
        microsoftActor: writer.microsoftActor ?? undefined,
      },
    });
  });
  return { ok: true };
}
