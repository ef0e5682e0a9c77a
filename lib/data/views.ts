import { randomUUID } from "node:crypto";
import { z } from "zod";
import { assertCan, type Viewer } from "../auth/viewer.ts";
import { db, SqlParams, sqlRows } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import { failure, type Result } from "../result.ts";
import { GUID_RE } from "../shared/ids.ts";
import { writeAudit } from "./audit.ts";
import { alertFilters, filtersToQuery, incidentFilters, parseFilters } from "./filters.ts";
import { fieldErrorsOf } from "./form-errors.ts";
import { SAFE_TEXT } from "../shared/text.ts";

/**
 * Saved views (issue #10 §5): a named filter set of a queue, stored as the queue's query string. Personal to its owner,
 * or shared with the partner's staff. Only the owner changes a view; an admin may also change or delete a shared one.
 * A view holds filters, never access: opening one runs the same scoped queue query as any URL.
 */
export const VIEW_QUEUES = ["incidents", "alerts"] as const;
export type ViewQueue = (typeof VIEW_QUEUES)[number];

/** "My queue": incidents assigned to the signed-in person (Defender's assignedTo is their e-mail), open, any age. */
// Written as normalizeViewQuery writes it, so the "My queue" chip shows as the current view when it is.
export const MY_QUEUE_HREF = "/incidents?assigned=me&range=all&status=active%2CinProgress";

/** A queue's query string, parsed by the queue's own filter schema and written back without defaults or the page. */
export function normalizeViewQuery(queue: ViewQueue, raw: string): string {
  const params = new URLSearchParams(raw.startsWith("?") ? raw.slice(1) : raw);
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    record[key] = all.length === 1 ? all[0]! : all;
  }
  const filters = parseFilters(queue === "incidents" ? incidentFilters : alertFilters, record);
  return filtersToQuery({ ...filters, page: 1 });
}

const viewName = z
  .string()
  .trim()
  .min(1, "Name the view.")
  .max(60, "Keep the name under 60 characters.")
  .regex(SAFE_TEXT, "The name contains control characters.");
const shared = z
  .union([z.boolean(), z.enum(["on", "true", "1", "false", "0", ""])])
  .optional()
  .transform((v) => v === true || v === "on" || v === "true" || v === "1");

const createInput = z.object({ queue: z.enum(VIEW_QUEUES), name: viewName, query: z.string().max(4000).default(""), shared });
const updateInput = z.object({ name: viewName, shared });

export interface SavedViewRow {
  id: string;
  name: string;
  href: string;
  shared: boolean;
  mine: boolean;
  ownerName: string;
  canEdit: boolean;
}

/** The viewer's own views and the views shared with the team, for one queue. */
export async function listViews(viewer: Viewer, queue: ViewQueue): Promise<SavedViewRow[]> {
  assertCan(viewer, "incidents:read");
  const p = new SqlParams();
  return toSavedViewRows(viewer, queue, await sqlRows<StoredView>(`${savedViewsSql(viewer, queue, p)} ORDER BY v.name ASC, v.id ASC`, p.values));
}

export interface StoredView {
  id: string;
  name: string;
  query: string;
  shared: boolean;
  ownerId: string;
  ownerName: string | null;
}

/**
 * listViews' statement without its order, for lib/data/queue-frame.ts. Plain SQL with the owners' names joined: this
 * runs on every queue page (lib/db/client.ts sqlRows, issue #12 §1).
 */
export function savedViewsSql(viewer: Viewer, queue: ViewQueue, p: SqlParams): string {
  return `SELECT v.id, v.name, v.query, v.shared, v."ownerId", u."displayName" AS "ownerName"
       FROM "SavedView" v LEFT JOIN "PortalUser" u ON u.id = v."ownerId"
      WHERE v."partnerId" = ${p.add(viewer.partnerId)}::uuid AND v.queue = ${p.add(queue)} AND (v."ownerId" = ${p.add(viewer.userId)}::uuid OR v.shared)`;
}

export function toSavedViewRows(viewer: Viewer, queue: ViewQueue, rows: StoredView[]): SavedViewRow[] {
  return rows.map((v) => ({
    id: v.id,
    name: v.name,
    href: `/${queue}${v.query}`,
    shared: v.shared,
    mine: v.ownerId === viewer.userId,
    ownerName: v.ownerName ?? "",
    canEdit: v.ownerId === viewer.userId || (v.shared && viewer.role === "ADMIN"),
  }));
}

export async function createView(viewer: Viewer, input: unknown): Promise<Result<{ id: string }>> {
  assertCan(viewer, "incidents:read");
  const parsed = createInput.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const { queue, name } = parsed.data;
  const query = normalizeViewQuery(queue, parsed.data.query);
  const id = randomUUID();
  try {
    await db().$transaction(async (tx) => {
      await tx.savedView.create({ data: { id, partnerId: viewer.partnerId, ownerId: viewer.userId, queue, name, query, shared: parsed.data.shared } });
      await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "view.created", detail: { viewId: id, queue, name, query, shared: parsed.data.shared } });
    });
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") return { ok: false, fieldErrors: { name: "You already have a view with this name." } };
    throw err;
  }
  return { ok: true, message: `View “${name}” saved.`, value: { id } };
}

/**
 * The views this viewer may change: their own, and (an admin) shared ones. Another person's personal view is not
 * found; another's shared view is visible but refused.
 */
function editableWhere(viewer: Viewer, id: string): Prisma.SavedViewWhereInput {
  return { id, partnerId: viewer.partnerId, OR: [{ ownerId: viewer.userId }, ...(viewer.role === "ADMIN" ? [{ shared: true }] : [])] };
}

async function refusal(viewer: Viewer, id: string): Promise<Result> {
  const visible = await db().savedView.findFirst({ where: { id, partnerId: viewer.partnerId, shared: true }, select: { id: true } });
  return visible ? failure("Only its owner or a partner admin can change a shared view.", "access_denied") : failure("View not found.", "not_found");
}

export async function updateView(viewer: Viewer, id: string, input: unknown): Promise<Result> {
  assertCan(viewer, "incidents:read");
  if (!GUID_RE.test(id)) return failure("View not found.", "not_found");
  const parsed = updateInput.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    const done = await db().$transaction(async (tx) => {
      const { count } = await tx.savedView.updateMany({ where: editableWhere(viewer, id), data: parsed.data });
      if (count === 0) return false;
      await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "view.updated", detail: { viewId: id, ...parsed.data } });
      return true;
    });
    return done ? { ok: true, message: "Saved." } : refusal(viewer, id);
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") return { ok: false, fieldErrors: { name: "The owner already has a view with this name." } };
    throw err;
  }
}

export async function deleteView(viewer: Viewer, id: string): Promise<Result> {
  assertCan(viewer, "incidents:read");
  if (!GUID_RE.test(id)) return failure("View not found.", "not_found");
  const done = await db().$transaction(async (tx) => {
    const view = await tx.savedView.findFirst({ where: editableWhere(viewer, id), select: { name: true, queue: true, shared: true, ownerId: true } });
    if (!view) return false;
    await tx.savedView.deleteMany({ where: editableWhere(viewer, id) });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "view.deleted", detail: { viewId: id, ...view, ownerId: undefined, userId: view.ownerId } });
    return true;
  });
  return done ? { ok: true, message: "View deleted." } : refusal(viewer, id);
}
