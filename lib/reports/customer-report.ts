import type { PrismaClient } from "../generated/prisma/client";
import { rangeBounds, type ReportRange } from "./range.ts";

/**
 * A customer's service report over a range of Incident.createdTime: counts, MTTA/MTTR percentiles, SLA attainment,
 * top alert titles and a daily trend. This loader is NOT scoped to a viewer: lib/data/reports.ts checks the viewer
 * first; the monthly job (renderCustomerReportPdf) runs it for the customer it was configured for.
 */
export interface CustomerReport {
  customer: { id: string; displayName: string };
  range: ReportRange;
  generatedAt: Date;
  total: number;
  bySeverity: { key: string; count: number }[];
  byClassification: { key: string; count: number }[];
  byDetermination: { key: string; count: number }[];
  /** Minutes from creation to the first acknowledgement / to resolution; null when nothing was measured. */
  mtta: { p50: number | null; p90: number | null; n: number };
  mttr: { p50: number | null; p90: number | null; n: number };
  /** Incidents whose clock is decided (met, or its deadline passed) and those that met it. */
  sla: { ack: { met: number; decided: number }; resolve: { met: number; decided: number } };
  topAlertTitles: { title: string; count: number }[];
  trend: { day: string; created: number; resolved: number }[];
}

type Db = Pick<PrismaClient, "$queryRaw" | "customer">;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function loadCustomerReport(prisma: Db, customerId: string, range: ReportRange, now = new Date()): Promise<CustomerReport | null> {
  const customer = await prisma.customer.findUnique({ where: { id: customerId }, select: { id: true, displayName: true } });
  if (!customer) return null;
  const { start, end } = rangeBounds(range);
  const [counts, times, sla, titles, trend] = await Promise.all([
    prisma.$queryRaw<{ dim: string; key: string | null; count: bigint }[]>`
      SELECT 'severity' AS dim, severity AS key, count(*) AS count FROM "Incident"
        WHERE "customerId" = ${customerId}::uuid AND "createdTime" >= ${start} AND "createdTime" < ${end} GROUP BY severity
      UNION ALL
      SELECT 'classification', COALESCE(classification, 'unknown'), count(*) FROM "Incident"
        WHERE "customerId" = ${customerId}::uuid AND "createdTime" >= ${start} AND "createdTime" < ${end} GROUP BY 2
      UNION ALL
      SELECT 'determination', COALESCE(determination, 'unknown'), count(*) FROM "Incident"
        WHERE "customerId" = ${customerId}::uuid AND "createdTime" >= ${start} AND "createdTime" < ${end} GROUP BY 2`,
    // Percentiles interpolate (percentile_cont); minutes of wall-clock time, never negative.
    prisma.$queryRaw<{ a50: number | null; a90: number | null; an: bigint; r50: number | null; r90: number | null; rn: bigint }[]>`
      SELECT
        percentile_cont(0.5) WITHIN GROUP (ORDER BY a) AS a50, percentile_cont(0.9) WITHIN GROUP (ORDER BY a) AS a90, count(a) AS an,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY r) AS r50, percentile_cont(0.9) WITHIN GROUP (ORDER BY r) AS r90, count(r) AS rn
      FROM (
        -- GREATEST ignores NULLs (it would turn "not yet" into 0): measure only what happened.
        SELECT CASE WHEN "acknowledgedAt" IS NOT NULL THEN GREATEST(0, EXTRACT(EPOCH FROM ("acknowledgedAt" - "createdTime")) / 60) END AS a,
               CASE WHEN "resolvedAt" IS NOT NULL THEN GREATEST(0, EXTRACT(EPOCH FROM ("resolvedAt" - "createdTime")) / 60) END AS r
        FROM "Incident" WHERE "customerId" = ${customerId}::uuid AND "createdTime" >= ${start} AND "createdTime" < ${end}
      ) t`,
    prisma.$queryRaw<{ ack_met: bigint; ack_decided: bigint; res_met: bigint; res_decided: bigint }[]>`
      SELECT
        count(*) FILTER (WHERE "acknowledgedAt" IS NOT NULL AND "acknowledgedAt" <= "slaAckDueAt") AS ack_met,
        count(*) FILTER (WHERE "slaAckDueAt" IS NOT NULL AND ("acknowledgedAt" IS NOT NULL OR "slaAckDueAt" <= ${now})) AS ack_decided,
        count(*) FILTER (WHERE "resolvedAt" IS NOT NULL AND "resolvedAt" <= "slaResolveDueAt") AS res_met,
        count(*) FILTER (WHERE "slaResolveDueAt" IS NOT NULL AND ("resolvedAt" IS NOT NULL OR "slaResolveDueAt" <= ${now})) AS res_decided
      FROM "Incident" WHERE "customerId" = ${customerId}::uuid AND "createdTime" >= ${start} AND "createdTime" < ${end}`,
    prisma.$queryRaw<{ title: string; count: bigint }[]>`
      SELECT a.title, count(*) AS count FROM "Alert" a JOIN "Incident" i ON i.id = a."incidentId"
      WHERE i."customerId" = ${customerId}::uuid AND i."createdTime" >= ${start} AND i."createdTime" < ${end}
      GROUP BY a.title ORDER BY count(*) DESC, a.title LIMIT 10`,
    // One pass each, grouped by UTC day; the day list (with zeros) is made below.
    prisma.$queryRaw<{ day: string; kind: string; count: bigint }[]>`
      SELECT to_char("createdTime" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, 'created' AS kind, count(*) AS count FROM "Incident"
        WHERE "customerId" = ${customerId}::uuid AND "createdTime" >= ${start} AND "createdTime" < ${end} GROUP BY 1
      UNION ALL
      SELECT to_char("resolvedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 'resolved', count(*) FROM "Incident"
        WHERE "customerId" = ${customerId}::uuid AND "createdTime" >= ${start} AND "createdTime" < ${end} AND "resolvedAt" IS NOT NULL GROUP BY 1`,
  ]);
  const dim = (name: string) =>
    counts
      .filter((c) => c.dim === name)
      .map((c) => ({ key: c.key ?? "unknown", count: Number(c.count) }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  const t = times[0]!;
  const s = sla[0]!;
  const bySeverity = dim("severity");
  return {
    customer,
    range,
    generatedAt: now,
    total: bySeverity.reduce((n, c) => n + c.count, 0),
    bySeverity,
    byClassification: dim("classification"),
    byDetermination: dim("determination"),
    mtta: { p50: num(t.a50), p90: num(t.a90), n: Number(t.an) },
    mttr: { p50: num(t.r50), p90: num(t.r90), n: Number(t.rn) },
    sla: { ack: { met: Number(s.ack_met), decided: Number(s.ack_decided) }, resolve: { met: Number(s.res_met), decided: Number(s.res_decided) } },
    topAlertTitles: titles.map((r) => ({ title: r.title, count: Number(r.count) })),
    trend: days(start, end).map((day) => ({
      day,
      created: Number(trend.find((r) => r.day === day && r.kind === "created")?.count ?? 0),
      resolved: Number(trend.find((r) => r.day === day && r.kind === "resolved")?.count ?? 0),
    })),
  };
}

function days(start: Date, end: Date): string[] {
  const out: string[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** "93.5 %" or "—" when nothing was decided. */
export function percent(met: number, decided: number): string {
  return decided ? `${(Math.round((met / decided) * 1000) / 10).toFixed(1)} %` : "—";
}

/** Minutes as "1 h 30 min" (or "—"). */
export function minutes(v: number | null): string {
  if (v === null) return "—";
  const m = Math.round(v);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ""}`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ""}`;
}
