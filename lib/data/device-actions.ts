import { randomUUID } from "node:crypto";
import { z } from "zod";
import { AccessDeniedError, assertCan, can, type Viewer } from "../auth/viewer.ts";
import { MICROSOFT_APIS, qualifiedRole } from "../config/permissions.ts";
import {
  isFinalStatus,
  MACHINE_ID_RE,
  RESPONDER_REQUIRED,
  RESPONSE_ACTION_KEYS,
  RESPONSE_ACTIONS,
  type DeviceActionView,
  type DeviceResponseView,
  type ResponseActionKey,
} from "../config/response-actions.ts";
import { db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import { MicrosoftApiClient, MicrosoftApiError, type TenantTarget } from "../microsoft/api-client.ts";
import { apiClient } from "../microsoft/clients.ts";
import { DelegatedTokenError } from "../microsoft/delegated.ts";
import { analystForbiddenMessage, delegatedFailureMessage, parseWriteMode, writeClientFor, type WriteClient } from "../microsoft/write-client.ts";
import { regionOf } from "../microsoft/hosts.ts";
import type { Result } from "../result.ts";
export type { DeviceActionView, DeviceResponseView };
import type { AlertDetail } from "../sync/model.ts";
import { writeAudit } from "./audit.ts";
import { customerScopeWhere } from "./customers.ts";
import { fieldErrorsOf } from "./form-errors.ts";

/**
 * Device response actions at Defender for Endpoint: isolate, release, antivirus scan, investigation package
 * (defender-docs defender-endpoint/api/isolate-machine.md, unisolate-machine.md, run-av-scan.md,
 * collect-investigation-package.md; machineaction.md; get-machineaction-object.md; get-package-sas-uri.md).
 *
 * Access: the viewer needs `devices:respond` (partner admins by role; analysts with the Responder capability, see
 * CAPABILITY_PERMISSIONS in lib/auth/viewer.ts — without it a call is refused before anything is read or sent); the
 * device is looked up from an incident or alert the viewer may see (scope checked in the same query), and the machine
 * id must be one that incident's or alert's evidence names, so a forged customer, incident or machine id is "not
 * found" and nothing is sent. The customer must have granted the
 * action's application permission (customer.grantedRoles); otherwise nothing is sent and the page says what is missing.
 *
 * Status is followed by polling Microsoft (GET /api/machineactions/{id}) when the device panel is shown or refreshed
 * (the panel refreshes itself every few seconds while an action is not final): no worker job, because only a person
 * looking at the device needs it live, and Microsoft's action center keeps the truth either way. An action is never
 * resent: a request that got no answer is "Unconfirmed" (Microsoft may have acted).
 *
 * Notifications (kind `device.action`): the transaction that records Microsoft's acceptance, and the one that records
 * an end state (Succeeded, Failed, Cancelled, TimeOut, or Unconfirmed), also writes the outbox event, so a state is
 * announced if and only if it was stored. An end state seen by the status check is audited too (`device.result`).
 */

const MDE = MICROSOFT_APIS.mde.resource;
const role = (permission: string) => qualifiedRole(MDE, permission);
/** get-package-sas-uri.md: Machine.Read.All or Machine.ReadWrite.All (application). */
const PACKAGE_ROLES = [role("Machine.Read.All"), role("Machine.ReadWrite.All")];
/** get-machineaction-object.md: Machine.Read.All or Machine.ReadWrite.All; the action's own permission is checked too. */
const READ_ROLES = PACKAGE_ROLES;
/** A row is asked of Microsoft again at most this often, however many people look at it. */
const RECHECK_MS = 2_000;
/** Longer than any request the client makes (timeout × attempts, Retry-After budget). */
const SENDING_STALE_MS = 2 * 60_000;

/** An interactive action: a long Retry-After is reported rather than waited out (the limiter is the process's). */
let responseClient: MicrosoftApiClient | undefined;
function client(): MicrosoftApiClient {
  const base = apiClient();
  if (!responseClient || responseClient.options.limiter !== base.options.limiter) {
    responseClient = new MicrosoftApiClient({ ...base.options, maxRetryAfterMs: 10_000, maxThrottledRetries: 2 });
  }
  return responseClient;
}

/** machineaction.md, tolerant of unknown fields. */
const machineActionSchema = z.object({
  id: z.string().min(1).max(100),
  type: z.string().max(60).optional(),
  status: z.string().max(40),
  lastUpdateDateTimeUtc: z.string().max(60).nullable().optional(),
});

export type DeviceContextInput = { incidentId: string; alertId?: undefined } | { alertId: string; incidentId?: undefined };

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface DeviceContext {
  customer: { id: string; partnerId: string; displayName: string; tenantId: string | null; region: string; grantedRoles: string[]; writeMode: string };
  incidentId: string | null;
  alertId: string | null;
  devices: { machineId: string; name: string | null }[];
}

function devicesOf(payloads: unknown[]): { machineId: string; name: string | null }[] {
  const out = new Map<string, string | null>();
  for (const p of payloads) {
    for (const d of (p as AlertDetail | null)?.devices ?? []) {
      if (typeof d?.id !== "string" || !MACHINE_ID_RE.test(d.id)) continue;
      const id = d.id.toLowerCase();
      if (!out.get(id)) out.set(id, typeof d.name === "string" ? d.name.slice(0, 255) : null);
    }
  }
  return [...out].map(([machineId, name]) => ({ machineId, name }));
}

const customerSelect = { id: true, partnerId: true, displayName: true, tenantId: true, region: true, grantedRoles: true, writeMode: true } as const;

/** devices:respond, refused with the reason an analyst can act on (the Responder capability) before anything else. */
function assertCanRespond(viewer: Viewer, customer?: { id: string; partnerId: string }): void {
  if (can(viewer, "devices:respond", customer)) return;
  throw new AccessDeniedError(viewer.role === "ANALYST" && !viewer.responder ? RESPONDER_REQUIRED : undefined);
}

/** The incident or alert (scoped to the viewer in the same query) and the devices its evidence names. */
async function loadContext(viewer: Viewer, input: DeviceContextInput): Promise<DeviceContext | null> {
  if (input.incidentId !== undefined) {
    if (!GUID_RE.test(input.incidentId)) return null;
    const row = await db().incident.findFirst({
      where: { AND: [{ id: input.incidentId }, { customer: customerScopeWhere(viewer) }] },
      select: { id: true, customer: { select: customerSelect }, alerts: { select: { payload: true } } },
    });
    if (!row) return null;
    return { customer: row.customer, incidentId: row.id, alertId: null, devices: devicesOf(row.alerts.map((a) => a.payload)) };
  }
  if (!GUID_RE.test(input.alertId)) return null;
  const row = await db().alert.findFirst({
    where: { AND: [{ id: input.alertId }, { customer: customerScopeWhere(viewer) }] },
    select: { id: true, incidentId: true, payload: true, customer: { select: customerSelect } },
  });
  if (!row) return null;
  return { customer: row.customer, incidentId: row.incidentId, alertId: row.id, devices: devicesOf([row.payload]) };
}

function missingFor(customer: { grantedRoles: string[]; writeMode: string }, key: ResponseActionKey): string[] {
  // As the analyst (issue 13), the app's roles do not matter: the analyst's delegated permission and Defender role do.
  if (parseWriteMode(customer.writeMode) === "analyst") return [];
  const needed = [RESPONSE_ACTIONS[key].permission];
  return needed.filter((p) => !customer.grantedRoles.includes(role(p)));
}

function missingMessage(missing: string[]): string {
  return `This customer has not granted ${missing.join(", ")} (WindowsDefenderATP), which this action needs. A partner admin can ask the customer for it with an additional-permissions link (Device response actions) on the customer's page.`;
}

const actionSelect = {
  id: true,
  machineId: true,
  deviceName: true,
  type: true,
  options: true,
  comment: true,
  requestedByEmail: true,
  microsoftActionId: true,
  status: true,
  lastError: true,
  createdAt: true,
  updatedAt: true,
  lastCheckedAt: true,
  completedAt: true,
  customerId: true,
  incidentId: true,
  alertId: true,
} satisfies Prisma.DeviceActionSelect;
type ActionRow = Prisma.DeviceActionGetPayload<{ select: typeof actionSelect }>;

function view(row: ActionRow): DeviceActionView {
  const options = (row.options ?? {}) as Record<string, unknown>;
  return {
    id: row.id,
    type: row.type,
    options: Object.fromEntries(Object.entries(options).filter(([, v]) => typeof v === "string")) as Record<string, string>,
    comment: row.comment,
    requestedByEmail: row.requestedByEmail,
    status: row.status,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    final: isFinalStatus(row.status),
  };
}

type Tx = Prisma.TransactionClient;
type StateSubject = Pick<
  ActionRow,
  "id" | "customerId" | "incidentId" | "alertId" | "machineId" | "deviceName" | "type" | "options" | "comment" | "requestedByEmail"
>;

/**
 * The notification outbox event of a state change (kind `device.action`), in the caller's transaction. One event per
 * action and phase (the dedupe key): "submitted" when Microsoft accepted it, "final" when it ended.
 */
async function announceState(tx: Tx, partnerId: string, a: StateSubject, status: string, phase: "submitted" | "final"): Promise<void> {
  await tx.notificationEvent.createMany({
    data: [
      {
        partnerId,
        customerId: a.customerId,
        incidentId: a.incidentId,
        kind: "device.action",
        dedupeKey: `device.action:${a.id}:${phase}`,
        detail: {
          deviceActionId: a.id,
          phase,
          status,
          type: a.type,
          options: (a.options ?? {}) as Prisma.InputJsonValue,
          machineId: a.machineId,
          deviceName: a.deviceName,
          comment: a.comment,
          requestedByEmail: a.requestedByEmail,
          alertId: a.alertId,
        },
      },
    ],
    skipDuplicates: true,
  });
}

/** An end state the portal learned after the request (status check, lost answer): audited with who asked and what. */
async function auditResult(tx: Tx, a: StateSubject & { microsoftActionId?: string | null }, status: string): Promise<void> {
  await writeAudit(tx, {
    actor: "system",
    action: "device.result",
    customerId: a.customerId,
    detail: {
      deviceActionId: a.id,
      type: a.type,
      machineId: a.machineId,
      deviceName: a.deviceName,
      incidentId: a.incidentId,
      alertId: a.alertId,
      requestedByEmail: a.requestedByEmail,
      comment: a.comment,
      microsoftActionId: a.microsoftActionId ?? null,
      result: status,
    },
  });
}

/** Asks Microsoft for the state of rows that are not final (each at most every RECHECK_MS). */
async function followStatus(customer: DeviceContext["customer"], rows: ActionRow[]): Promise<void> {
  if (!customer.tenantId || !READ_ROLES.some((r) => customer.grantedRoles.includes(r))) return;
  const target: TenantTarget = { tenantId: customer.tenantId, region: regionOf(customer.region) };
  const now = Date.now();
  const due = rows
    .filter((r) => !isFinalStatus(r.status) && r.microsoftActionId && (!r.lastCheckedAt || now - r.lastCheckedAt.getTime() >= RECHECK_MS))
    .slice(0, 10);
  await Promise.all(
    due.map(async (r) => {
      try {
        const raw = await client().getJson("mde", target, `/api/machineactions/${encodeURIComponent(r.microsoftActionId!)}`);
        const parsed = machineActionSchema.safeParse(raw);
        if (!parsed.success) return;
        const status = parsed.data.status;
        await db().$transaction(async (tx) => {
          // Conditional on the state read: of two viewers polling at once, one records (and announces) the change.
          const changed = await tx.deviceAction.updateMany({
            where: { id: r.id, status: r.status },
            data: { status, lastCheckedAt: new Date(), ...(isFinalStatus(status) ? { completedAt: new Date() } : {}) },
          });
          if (changed.count === 1 && status !== r.status && isFinalStatus(status)) {
            await announceState(tx, customer.partnerId, r, status, "final");
            await auditResult(tx, r, status);
          }
        });
      } catch (err) {
        if (!(err instanceof MicrosoftApiError)) throw err;
        await db().deviceAction.updateMany({
          where: { id: r.id },
          data: { lastCheckedAt: new Date(), lastError: `Status check: ${err.message}`.slice(0, 500) },
        });
      }
    }),
  );
}

/** The devices of an incident or alert with their response actions; `follow` asks Microsoft for pending states. */
export async function getDeviceResponse(viewer: Viewer, input: DeviceContextInput, opts: { follow?: boolean } = {}): Promise<DeviceResponseView | null> {
  assertCan(viewer, "incidents:read");
  const ctx = await loadContext(viewer, input);
  if (!ctx) return null;
  const ids = ctx.devices.map((d) => d.machineId);
  const load = () =>
    db().deviceAction.findMany({
      where: { customerId: ctx.customer.id, machineId: { in: ids } },
      orderBy: { createdAt: "desc" },
      take: 200,
      select: actionSelect,
    });
  if (ids.length) {
    // A row still "Sending" after SENDING_STALE_MS lost its answer (the process stopped mid-request): Microsoft may
    // have acted, so it is shown as unconfirmed, never resent.
    const stale = await db().deviceAction.findMany({
      where: { customerId: ctx.customer.id, machineId: { in: ids }, status: "Sending", createdAt: { lt: new Date(Date.now() - SENDING_STALE_MS) } },
      take: 50,
      select: actionSelect,
    });
    for (const r of stale) {
      await db().$transaction(async (tx) => {
        const changed = await tx.deviceAction.updateMany({
          where: { id: r.id, status: "Sending" },
          data: {
            status: "Unconfirmed",
            completedAt: new Date(),
            lastError: "The portal did not record Microsoft's answer. Check the device in Microsoft Defender before asking again.",
          },
        });
        if (changed.count === 0) return;
        await announceState(tx, ctx.customer.partnerId, r, "Unconfirmed", "final");
        await auditResult(tx, r, "Unconfirmed");
      });
    }
  }
  let rows = ids.length ? await load() : [];
  if (opts.follow && rows.some((r) => !isFinalStatus(r.status))) {
    await followStatus(ctx.customer, rows);
    rows = await load();
  }
  const missing = Object.fromEntries(RESPONSE_ACTION_KEYS.map((k) => [k, missingFor(ctx.customer, k)])) as Record<ResponseActionKey, string[]>;
  return {
    context: { incidentId: ctx.incidentId, alertId: ctx.alertId },
    customer: { id: ctx.customer.id, displayName: ctx.customer.displayName },
    canRespond: can(viewer, "devices:respond", ctx.customer),
    cannotRespondReason: can(viewer, "devices:respond", ctx.customer) ? null : RESPONDER_REQUIRED,
    canAskPermission: can(viewer, "customers:onboard"),
    missing,
    devices: ctx.devices.map((d) => {
      const mine = rows.filter((r) => r.machineId === d.machineId);
      // Isolation as the portal knows it: the latest Succeeded isolate/release asked from here (null: none).
      const last = mine.find((r) => (r.type === "Isolate" || r.type === "Unisolate") && r.status === "Succeeded");
      return { ...d, isolated: last ? last.type === "Isolate" : null, actions: mine.slice(0, 20).map(view) };
    }),
  };
}

const requestInput = z
  .object({
    action: z.enum(RESPONSE_ACTION_KEYS as [ResponseActionKey, ...ResponseActionKey[]], { message: "Choose an action." }),
    machineId: z.string().regex(MACHINE_ID_RE, "Unknown device."),
    comment: z.string().trim().min(1, "Write a comment: Microsoft records it with the action.").max(1000, "Keep the comment under 1,000 characters."),
    isolationType: z.enum(["Full", "Selective"]).optional(),
    scanType: z.enum(["Quick", "Full"]).optional(),
    confirmName: z.string().max(300).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.action === "isolate" && !v.isolationType) ctx.addIssue({ code: "custom", path: ["isolationType"], message: "Choose Full or Selective isolation." });
    if (v.action === "scan" && !v.scanType) ctx.addIssue({ code: "custom", path: ["scanType"], message: "Choose a Quick or Full scan." });
  });

/**
 * Asks Microsoft for one response action on a device of an incident or alert the viewer may see. The row is written
 * first ("Sending"), so an answer that never comes still leaves a trace; the action is audited with its outcome.
 */
export async function requestDeviceAction(viewer: Viewer, input: DeviceContextInput, fields: Record<string, unknown>): Promise<Result<{ id: string }>> {
  // Refused before anything is read, written or sent (an analyst without the Responder capability: 403, with why).
  assertCanRespond(viewer);
  const parsed = requestInput.safeParse(fields);
  const ctx = await loadContext(viewer, input);
  if (!ctx) return { ok: false, fieldErrors: {}, formError: input.incidentId !== undefined ? "Incident not found." : "Alert not found.", code: "not_found" };
  assertCanRespond(viewer, ctx.customer);
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error);
    return { ok: false, fieldErrors, formError: fieldErrors.form };
  }
  const v = parsed.data;
  const device = ctx.devices.find((d) => d.machineId === v.machineId.toLowerCase());
  // A machine id this incident's (or alert's) evidence does not name is refused: it may belong to another customer.
  if (!device) return { ok: false, fieldErrors: {}, formError: "This device is not part of this incident or alert.", code: "not_found" };
  if (v.action === "isolate") {
    const expected = (device.name ?? device.machineId).toLowerCase();
    if ((v.confirmName ?? "").trim().toLowerCase() !== expected) {
      return { ok: false, fieldErrors: { confirmName: "Type the device name exactly to confirm the isolation." } };
    }
  }
  if (!ctx.customer.tenantId) return { ok: false, fieldErrors: {}, formError: "This customer has not consented yet.", code: "not_consented" };
  const def = RESPONSE_ACTIONS[v.action];
  const missing = missingFor(ctx.customer, v.action);
  if (missing.length) return { ok: false, fieldErrors: {}, formError: missingMessage(missing), code: "missing_permission" };

  // Whose token asks (issue 13): not connected = nothing sent, and never the app instead.
  let writer: WriteClient;
  try {
    writer = await writeClientFor(db(), client(), viewer.userId, { ...ctx.customer, tenantId: ctx.customer.tenantId });
  } catch (err) {
    if (err instanceof DelegatedTokenError)
      return { ok: false, fieldErrors: {}, formError: delegatedFailureMessage(err, ctx.customer.displayName), code: `delegated_${err.kind}` };
    throw err;
  }
  const options: Record<string, string> = v.action === "isolate" ? { IsolationType: v.isolationType! } : v.action === "scan" ? { ScanType: v.scanType! } : {};
  const body = { Comment: v.comment, ...options };
  const id = randomUUID();
  const subject: StateSubject = {
    id,
    customerId: ctx.customer.id,
    incidentId: ctx.incidentId,
    alertId: ctx.alertId,
    machineId: device.machineId,
    deviceName: device.name,
    type: def.type,
    options,
    comment: v.comment,
    requestedByEmail: viewer.email,
  };
  await db().deviceAction.create({ data: { ...subject, options, requestedById: viewer.userId, status: "Sending" } });
  const target: TenantTarget = { tenantId: ctx.customer.tenantId, region: regionOf(ctx.customer.region) };
  const audit = (tx: Prisma.TransactionClient, result: Record<string, unknown>) =>
    writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: def.audit,
      customerId: ctx.customer.id,
      detail: {
        deviceActionId: id,
        machineId: device.machineId,
        deviceName: device.name,
        incidentId: ctx.incidentId,
        alertId: ctx.alertId,
        ...options,
        comment: v.comment,
        requestedByEmail: viewer.email,
        writeContext: writer.context,
        microsoftActor: writer.microsoftActor ?? undefined,
        ...result,
      },
    });
  let answer: z.infer<typeof machineActionSchema>;
  try {
    const path = `/api/machines/${device.machineId}/${def.segment}`;
    let raw: unknown;
    try {
      raw = await writer.api.postJson("mde", target, path, body);
    } catch (err) {
      // A 403 means Microsoft did not act. The customer granted the permission (checked above), so the cached token
      // may predate that grant (an app token lives up to an hour): once more with a token fresh from Entra. An
      // analyst's 403 is their own Defender role: Microsoft's answer stands.
      if (!(err instanceof MicrosoftApiError) || err.kind !== "forbidden" || writer.context === "delegated") throw err;
      raw = await writer.api.postJson("mde", target, path, body, { freshToken: true });
    }
    const ok = machineActionSchema.safeParse(raw);
    if (!ok.success) throw new MicrosoftApiError("malformed", 201, "malformed_machine_action", "Microsoft's answer did not carry a machine action.");
    answer = ok.data;
  } catch (err) {
    if (err instanceof DelegatedTokenError) {
      // The token could not be renewed: nothing left the portal.
      const lastError = delegatedFailureMessage(err, ctx.customer.displayName);
      await db().$transaction(async (tx) => {
        await tx.deviceAction.update({ where: { id }, data: { status: "NotSent", lastError: lastError.slice(0, 1000), completedAt: new Date() } });
        await audit(tx, { result: "NotSent", error: err.code });
      });
      return { ok: false, fieldErrors: {}, formError: lastError, code: `delegated_${err.kind}` };
    }
    if (!(err instanceof MicrosoftApiError)) throw err;
    if (err.httpStatus === 403 && writer.context === "delegated") {
      const lastError = analystForbiddenMessage(ctx.customer.displayName, writer.microsoftActor, err.message);
      await db().$transaction(async (tx) => {
        await tx.deviceAction.update({ where: { id }, data: { status: "NotSent", lastError: lastError.slice(0, 1000), completedAt: new Date() } });
        await audit(tx, { result: "NotSent", error: err.code });
      });
      return { ok: false, fieldErrors: {}, formError: lastError, code: "analyst_forbidden" };
    }
    // No answer (timeout, network, 5xx, unreadable body): Microsoft may have acted, so the action is never resent.
    const unknown = err.kind === "timeout" || err.kind === "server" || err.kind === "malformed";
    const status = unknown ? "Unconfirmed" : "NotSent";
    const lastError = unknown
      ? `${err.message} Microsoft may have started the action: check the device in Microsoft Defender before asking again.`
      : err.message;
    await db().$transaction(async (tx) => {
      await tx.deviceAction.update({ where: { id }, data: { status, lastError: lastError.slice(0, 1000), completedAt: new Date() } });
      await audit(tx, { result: status, error: err.code });
      // Refused by Microsoft (NotSent): nothing happened, the person sees why. Unconfirmed: someone must check.
      if (status === "Unconfirmed") await announceState(tx, ctx.customer.partnerId, subject, status, "final");
    });
    return { ok: false, fieldErrors: {}, formError: `Microsoft did not accept the action: ${lastError}`, code: err.code };
  }
  await db().$transaction(async (tx) => {
    await tx.deviceAction.update({
      where: { id },
      data: {
        microsoftActionId: answer.id,
        status: answer.status,
        lastCheckedAt: new Date(),
        ...(isFinalStatus(answer.status) ? { completedAt: new Date() } : {}),
      },
    });
    await audit(tx, { result: answer.status, microsoftActionId: answer.id });
    await announceState(tx, ctx.customer.partnerId, subject, answer.status, isFinalStatus(answer.status) ? "final" : "submitted");
  });
  return { ok: true, value: { id }, message: `${def.label}: Microsoft accepted the action (${answer.status}).` };
}

/**
 * The investigation package's download link, asked of Microsoft on each click and never stored (get-package-sas-uri.md:
 * the link is valid for a short time). The SAS link is not audited, only that it was fetched.
 */
export async function getPackageLink(viewer: Viewer, deviceActionId: string): Promise<Result<{ url: string }>> {
  assertCanRespond(viewer);
  const notFound = { ok: false as const, fieldErrors: {}, formError: "Action not found.", code: "not_found" };
  if (!GUID_RE.test(deviceActionId)) return notFound;
  const row = await db().deviceAction.findUnique({ where: { id: deviceActionId }, select: { ...actionSelect } });
  if (!row) return notFound;
  // The customer is derived from the row and checked against the viewer.
  const customer = await db().customer.findFirst({ where: { AND: [{ id: row.customerId }, customerScopeWhere(viewer)] }, select: customerSelect });
  if (!customer?.tenantId || row.type !== "CollectInvestigationPackage" || !row.microsoftActionId) return notFound;
  if (row.status !== "Succeeded") return { ok: false, fieldErrors: {}, formError: "The package is not ready yet." };
  if (!PACKAGE_ROLES.some((r) => customer.grantedRoles.includes(r)))
    return { ok: false, fieldErrors: {}, formError: missingMessage(["Machine.Read.All"]), code: "missing_permission" };
  const target: TenantTarget = { tenantId: customer.tenantId, region: regionOf(customer.region) };
  let url: URL | null = null;
  try {
    const raw = (await client().getJson("mde", target, `/api/machineactions/${encodeURIComponent(row.microsoftActionId)}/GetPackageUri`)) as {
      value?: unknown;
    };
    // The documented example wraps the link in literal quotes inside the string.
    const text = typeof raw?.value === "string" ? raw.value.trim().replace(/^"(.*)"$/s, "$1") : "";
    url = URL.canParse(text) ? new URL(text) : null;
  } catch (err) {
    if (!(err instanceof MicrosoftApiError)) throw err;
    return { ok: false, fieldErrors: {}, formError: `Microsoft did not give the package link: ${err.message}`, code: err.code };
  }
  if (!url || url.protocol !== "https:") return { ok: false, fieldErrors: {}, formError: "Microsoft's answer did not hold an https link." };
  await db().$transaction((tx) =>
    writeAudit(tx, {
      actor: `user:${viewer.userId}`,
      action: "device.package_link",
      customerId: customer.id,
      detail: { deviceActionId: row.id, machineId: row.machineId },
    }),
  );
  return { ok: true, value: { url: url.toString() } };
}
