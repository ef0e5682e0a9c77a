import { randomUUID } from "node:crypto";
import type { Prisma } from "../generated/prisma/client";
import { applySlaClocks } from "../sla/clocks.ts";
import { jsonForPostgres, type DataSource, type NormalizedAlert, type NormalizedIncident } from "./model.ts";

type Tx = Prisma.TransactionClient;

/**
 * Idempotent batch upserts. A row is written only when Microsoft's copy is newer than the stored one (or, at the same
 * lastUpdateTime, differs): a rerun over the same data writes nothing, and an older copy never overwrites a newer.
 * Returns how many rows changed.
 */
const BATCH = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One copy per source id, the newest (paging by $skip while incidents change can return one twice in a run), in
 * source-id order: the incidents feed and the alerts feed upsert the same alerts concurrently, and rows locked in
 * one global order cannot deadlock.
 */
function newestBySourceId<T extends { sourceId: string; lastUpdateTime: Date }>(items: T[]): T[] {
  const newest = new Map<string, T>();
  for (const item of items) {
    const prev = newest.get(item.sourceId);
    if (!prev || prev.lastUpdateTime < item.lastUpdateTime) newest.set(item.sourceId, item);
  }
  return [...newest.values()].sort((a, b) => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0));
}

/** Who caused an upsert: the sync (Microsoft's copy), an analyst's triage, or a bulk triage job. */
export interface UpsertOrigin {
  origin: "microsoft" | "portal" | "bulk";
  /** "user:<id>" for portal and bulk changes. */
  actor?: string | null;
  /** Portal and bulk changes: which token made it ("application" | "delegated") and whom Microsoft records (issue 13). */
  writeContext?: "application" | "delegated";
  microsoftActor?: string | null;
  /**
   * Write notification events (new incident, severity raised, reopened) to the outbox. Off for a feed's first sync:
   * a newly onboarded customer's backlog is not news.
   */
  announce?: boolean;
}

/** The triage fields whose every observed change is kept (IncidentChange). */
const TRACKED = ["status", "assignedTo", "classification", "determination", "severity"] as const;
type Tracked = (typeof TRACKED)[number];
type TrackedRow = { id: string; sourceId: string } & Record<Tracked, string | null>;
const SEVERITY_RANK: Record<string, number> = { unknown: 0, informational: 1, low: 2, medium: 3, high: 4 };

export async function upsertIncidents(
  tx: Tx,
  customerId: string,
  source: DataSource,
  incidents: NormalizedIncident[],
  syncedAt: Date,
  by: UpsertOrigin = { origin: "microsoft", announce: false },
): Promise<number> {
  let changed = 0;
  // One INSERT … ON CONFLICT may not touch a row twice (Postgres 21000), so duplicates go before batching.
  incidents = newestBySourceId(incidents);
  for (const batch of chunks(incidents, BATCH)) {
    const rows = batch.map((i) => ({
      id: randomUUID(),
      customerId,
      source,
      sourceId: i.sourceId,
      title: i.title,
      severity: i.severity,
      status: i.status,
      classification: i.classification,
      determination: i.determination,
      assignedTo: i.assignedTo,
      tags: i.tags,
      alertCount: i.alertCount,
      createdTime: i.createdTime.toISOString(),
      lastUpdateTime: i.lastUpdateTime.toISOString(),
      webUrl: i.webUrl,
      payload: i.payload,
      syncedAt: syncedAt.toISOString(),
    }));
    // The stored copies, locked in source-id order (the order the upsert locks them in), to diff against.
    const before = await tx.$queryRaw<TrackedRow[]>`
      SELECT id::text, "sourceId", status, "assignedTo", classification, determination, severity FROM "Incident"
      WHERE "customerId" = ${customerId}::uuid AND source = ${source} AND "sourceId" = ANY(${rows.map((r) => r.sourceId)}::text[])
      ORDER BY "sourceId" FOR UPDATE`;
    // Acknowledged = first observed assignment, status change or classification; resolved = when resolution was
    // observed. Both take the earlier of Microsoft's lastUpdateTime and the observation: precise to one sync interval.
    const written = await tx.$queryRaw<(TrackedRow & { inserted: boolean })[]>`
      INSERT INTO "Incident" (id, "customerId", source, "sourceId", title, severity, status, classification, determination,
        "assignedTo", tags, "alertCount", "createdTime", "lastUpdateTime", "webUrl", payload, "syncedAt", "acknowledgedAt", "resolvedAt")
      SELECT x.id, x."customerId", x.source, x."sourceId", x.title, x.severity, x.status, x.classification, x.determination,
        x."assignedTo", ARRAY(SELECT jsonb_array_elements_text(x.tags)), x."alertCount", x."createdTime", x."lastUpdateTime",
        x."webUrl", x.payload, x."syncedAt",
        CASE WHEN x.status <> 'active' OR x."assignedTo" IS NOT NULL OR COALESCE(x.classification, 'unknown') <> 'unknown'
          THEN LEAST(x."lastUpdateTime", x."syncedAt") END,
        CASE WHEN x.status = 'resolved' THEN LEAST(x."lastUpdateTime", x."syncedAt") END
      FROM jsonb_to_recordset(${jsonForPostgres(rows)}::jsonb) AS x(id uuid, "customerId" uuid, source text, "sourceId" text,
        title text, severity text, status text, classification text, determination text, "assignedTo" text, tags jsonb,
        "alertCount" int, "createdTime" timestamptz, "lastUpdateTime" timestamptz, "webUrl" text, payload jsonb, "syncedAt" timestamptz)
      ON CONFLICT ("customerId", source, "sourceId") DO UPDATE SET
        title = EXCLUDED.title, severity = EXCLUDED.severity, status = EXCLUDED.status,
        classification = EXCLUDED.classification, determination = EXCLUDED.determination, "assignedTo" = EXCLUDED."assignedTo",
        tags = EXCLUDED.tags, "alertCount" = EXCLUDED."alertCount", "createdTime" = EXCLUDED."createdTime",
        "lastUpdateTime" = EXCLUDED."lastUpdateTime", "webUrl" = EXCLUDED."webUrl", payload = EXCLUDED.payload,
        "syncedAt" = EXCLUDED."syncedAt",
        "acknowledgedAt" = COALESCE("Incident"."acknowledgedAt", EXCLUDED."acknowledgedAt",
          CASE WHEN EXCLUDED.status IS DISTINCT FROM "Incident".status OR EXCLUDED."assignedTo" IS DISTINCT FROM "Incident"."assignedTo"
            OR EXCLUDED.classification IS DISTINCT FROM "Incident".classification THEN LEAST(EXCLUDED."lastUpdateTime", EXCLUDED."syncedAt") END),
        "resolvedAt" = CASE WHEN EXCLUDED.status = 'resolved'
          THEN COALESCE(CASE WHEN "Incident".status = 'resolved' THEN "Incident"."resolvedAt" END, EXCLUDED."resolvedAt") END
      WHERE "Incident"."lastUpdateTime" < EXCLUDED."lastUpdateTime"
         OR ("Incident"."lastUpdateTime" = EXCLUDED."lastUpdateTime" AND "Incident".payload IS DISTINCT FROM EXCLUDED.payload)
      RETURNING id::text, "sourceId", status, "assignedTo", classification, determination, severity, (xmax = 0) AS inserted`;
    changed += written.length;
    await recordChanges(tx, customerId, before, written, syncedAt, by);
    // SLA deadlines in the same transaction: a new or changed incident is never visible without them.
    await applySlaClocks(
      tx,
      written.map((r) => r.id),
    );
  }
  const alerts = incidents.flatMap((i) => i.alerts.map((a) => ({ ...a, incidentSourceId: a.incidentSourceId ?? i.sourceId })));
  return changed + (await upsertAlerts(tx, customerId, source, alerts, syncedAt));
}

/** The change history and the outbox events for one batch, in the upsert's transaction. */
async function recordChanges(tx: Tx, customerId: string, before: TrackedRow[], written: (TrackedRow & { inserted: boolean })[], at: Date, by: UpsertOrigin) {
  if (!written.length) return;
  const old = new Map(before.map((r) => [r.sourceId, r]));
  const actor = by.origin === "microsoft" ? null : (by.actor ?? null);
  const changes: {
    incidentId: string;
    customerId: string;
    field: string;
    oldValue: string | null;
    newValue: string | null;
    origin: string;
    actor: string | null;
    observedAt: Date;
    writeContext: string | null;
    microsoftActor: string | null;
  }[] = [];
  const events: { kind: string; incidentId: string; detail: Record<string, unknown> }[] = [];
  for (const row of written) {
    const prev = row.inserted ? undefined : old.get(row.sourceId);
    const base = {
      incidentId: row.id,
      customerId,
      origin: by.origin,
      actor,
      observedAt: at,
      writeContext: by.origin === "microsoft" ? null : (by.writeContext ?? null),
      microsoftActor: by.origin === "microsoft" ? null : (by.microsoftActor ?? null),
    };
    if (!prev) {
      changes.push({ ...base, field: "created", oldValue: null, newValue: row.status });
      events.push({ kind: "incident.created", incidentId: row.id, detail: { severity: row.severity } });
      continue;
    }
    let any = false;
    for (const field of TRACKED) {
      if (prev[field] === row[field]) continue;
      any = true;
      changes.push({ ...base, field, oldValue: prev[field], newValue: row[field] });
    }
    // A comment-only triage changes no field but is an acknowledgement, and the history says who did it.
    if (!any && by.origin !== "microsoft") changes.push({ ...base, field: "comment", oldValue: null, newValue: null });
    if ((SEVERITY_RANK[row.severity ?? ""] ?? 0) > (SEVERITY_RANK[prev.severity ?? ""] ?? 0)) {
      events.push({ kind: "incident.severity_raised", incidentId: row.id, detail: { from: prev.severity, to: row.severity } });
    }
    if (prev.status === "resolved" && row.status !== "resolved") events.push({ kind: "incident.reopened", incidentId: row.id, detail: { status: row.status } });
  }
  if (changes.length) await tx.incidentChange.createMany({ data: changes });
  if (by.origin !== "microsoft") {
    await tx.incident.updateMany({ where: { id: { in: written.map((r) => r.id) }, acknowledgedAt: null }, data: { acknowledgedAt: at } });
  }
  if (by.announce && events.length) {
    const customer = await tx.customer.findUniqueOrThrow({ where: { id: customerId }, select: { partnerId: true } });
    await tx.notificationEvent.createMany({
      data: events.map((e) => ({
        partnerId: customer.partnerId,
        customerId,
        incidentId: e.incidentId,
        kind: e.kind,
        detail: e.detail as Prisma.InputJsonValue,
      })),
    });
  }
}

export async function upsertAlerts(tx: Tx, customerId: string, source: DataSource, alerts: NormalizedAlert[], syncedAt: Date): Promise<number> {
  let changed = 0;
  // The same alert can arrive twice in one run (inside two pages' incidents): keep the newest copy.
  for (const all of chunks(newestBySourceId(alerts), BATCH)) {
    // Copies the upsert below would not write anyway (stored, linked to its incident, and not older than this one) are
    // left out before they are sent: the alerts feed meets every alert the incidents feed stored a moment ago, and
    // each is kilobytes of evidence for PostgreSQL to parse for nothing.
    const unchanged = new Set(
      (
        await tx.$queryRaw<{ sourceId: string }[]>`
          SELECT a."sourceId" FROM "Alert" a
          JOIN unnest(${all.map((a) => a.sourceId)}::text[], ${all.map((a) => a.lastUpdateTime.toISOString())}::timestamptz[]) AS x("sourceId", "lastUpdateTime")
            ON a."sourceId" = x."sourceId"
          WHERE a."customerId" = ${customerId}::uuid AND a.source = ${source} AND a."incidentId" IS NOT NULL AND a."lastUpdateTime" >= x."lastUpdateTime"`
      ).map((r) => r.sourceId),
    );
    const batch = unchanged.size ? all.filter((a) => !unchanged.has(a.sourceId)) : all;
    if (!batch.length) continue;
    const rows = batch.map((a) => ({
      id: randomUUID(),
      customerId,
      source,
      sourceId: a.sourceId,
      incidentSourceId: a.incidentSourceId,
      title: a.title,
      severity: a.severity,
      status: a.status,
      category: a.category,
      serviceSource: a.serviceSource,
      detectionSource: a.detectionSource,
      classification: a.classification,
      determination: a.determination,
      assignedTo: a.assignedTo,
      createdTime: a.createdTime.toISOString(),
      lastUpdateTime: a.lastUpdateTime.toISOString(),
      payload: a.payload,
      syncedAt: syncedAt.toISOString(),
    }));
    changed += await tx.$executeRaw`
      INSERT INTO "Alert" (id, "customerId", "incidentId", source, "sourceId", "incidentSourceId", title, severity, status, category,
        "serviceSource", "detectionSource", classification, determination, "assignedTo", "createdTime", "lastUpdateTime", payload, "syncedAt")
      SELECT x.id, x."customerId",
        (SELECT i.id FROM "Incident" i WHERE i."customerId" = x."customerId" AND i.source = x.source AND i."sourceId" = x."incidentSourceId"),
        x.source, x."sourceId", x."incidentSourceId", x.title, x.severity, x.status, x.category, x."serviceSource", x."detectionSource",
        x.classification, x.determination, x."assignedTo", x."createdTime", x."lastUpdateTime", x.payload, x."syncedAt"
      FROM jsonb_to_recordset(${jsonForPostgres(rows)}::jsonb) AS x(id uuid, "customerId" uuid, source text, "sourceId" text,
        "incidentSourceId" text, title text, severity text, status text, category text, "serviceSource" text, "detectionSource" text,
        classification text, determination text, "assignedTo" text, "createdTime" timestamptz, "lastUpdateTime" timestamptz,
        payload jsonb, "syncedAt" timestamptz)
      ON CONFLICT ("customerId", source, "sourceId") DO UPDATE SET
        "incidentId" = COALESCE(EXCLUDED."incidentId", "Alert"."incidentId"), "incidentSourceId" = EXCLUDED."incidentSourceId",
        title = EXCLUDED.title, severity = EXCLUDED.severity, status = EXCLUDED.status, category = EXCLUDED.category,
        "serviceSource" = EXCLUDED."serviceSource", "detectionSource" = EXCLUDED."detectionSource",
        classification = EXCLUDED.classification, determination = EXCLUDED.determination, "assignedTo" = EXCLUDED."assignedTo",
        "createdTime" = EXCLUDED."createdTime", "lastUpdateTime" = EXCLUDED."lastUpdateTime", payload = EXCLUDED.payload,
        "syncedAt" = EXCLUDED."syncedAt"
      -- Only a newer copy wins: the Defender source sees each alert twice (inside its XDR incident and from the MDE
      -- alerts API) with different shapes, and must not flip between them on every run.
      WHERE "Alert"."lastUpdateTime" < EXCLUDED."lastUpdateTime"
         OR ("Alert"."incidentId" IS NULL AND EXCLUDED."incidentId" IS NOT NULL)`;
  }
  return changed;
}
