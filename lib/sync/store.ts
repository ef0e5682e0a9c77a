import { randomUUID } from "node:crypto";
import type { Prisma } from "../generated/prisma/client";
import { stripNul, type DataSource, type NormalizedAlert, type NormalizedIncident } from "./model.ts";

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

export async function upsertIncidents(tx: Tx, customerId: string, source: DataSource, incidents: NormalizedIncident[], syncedAt: Date): Promise<number> {
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
    changed += await tx.$executeRaw`
      INSERT INTO "Incident" (id, "customerId", source, "sourceId", title, severity, status, classification, determination,
        "assignedTo", tags, "alertCount", "createdTime", "lastUpdateTime", "webUrl", payload, "syncedAt")
      SELECT x.id, x."customerId", x.source, x."sourceId", x.title, x.severity, x.status, x.classification, x.determination,
        x."assignedTo", ARRAY(SELECT jsonb_array_elements_text(x.tags)), x."alertCount", x."createdTime", x."lastUpdateTime",
        x."webUrl", x.payload, x."syncedAt"
      FROM jsonb_to_recordset(${JSON.stringify(stripNul(rows))}::jsonb) AS x(id uuid, "customerId" uuid, source text, "sourceId" text,
        title text, severity text, status text, classification text, determination text, "assignedTo" text, tags jsonb,
        "alertCount" int, "createdTime" timestamptz, "lastUpdateTime" timestamptz, "webUrl" text, payload jsonb, "syncedAt" timestamptz)
      ON CONFLICT ("customerId", source, "sourceId") DO UPDATE SET
        title = EXCLUDED.title, severity = EXCLUDED.severity, status = EXCLUDED.status,
        classification = EXCLUDED.classification, determination = EXCLUDED.determination, "assignedTo" = EXCLUDED."assignedTo",
        tags = EXCLUDED.tags, "alertCount" = EXCLUDED."alertCount", "createdTime" = EXCLUDED."createdTime",
        "lastUpdateTime" = EXCLUDED."lastUpdateTime", "webUrl" = EXCLUDED."webUrl", payload = EXCLUDED.payload,
        "syncedAt" = EXCLUDED."syncedAt"
      WHERE "Incident"."lastUpdateTime" < EXCLUDED."lastUpdateTime"
         OR ("Incident"."lastUpdateTime" = EXCLUDED."lastUpdateTime" AND "Incident".payload IS DISTINCT FROM EXCLUDED.payload)`;
  }
  const alerts = incidents.flatMap((i) => i.alerts.map((a) => ({ ...a, incidentSourceId: a.incidentSourceId ?? i.sourceId })));
  return changed + (await upsertAlerts(tx, customerId, source, alerts, syncedAt));
}

export async function upsertAlerts(tx: Tx, customerId: string, source: DataSource, alerts: NormalizedAlert[], syncedAt: Date): Promise<number> {
  let changed = 0;
  // The same alert can arrive twice in one run (inside two pages' incidents): keep the newest copy.
  for (const batch of chunks(newestBySourceId(alerts), BATCH)) {
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
      FROM jsonb_to_recordset(${JSON.stringify(stripNul(rows))}::jsonb) AS x(id uuid, "customerId" uuid, source text, "sourceId" text,
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
