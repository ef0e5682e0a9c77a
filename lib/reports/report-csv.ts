import { toCsv, type CsvValue } from "../export/csv.ts";
import type { CustomerReport } from "./customer-report.ts";

/** The report as CSV (section, item, value): formula-safe cells through lib/export/csv.ts. */
export function reportCsv(r: CustomerReport): string {
  const rows: CsvValue[][] = [
    ["report", "customer", r.customer.displayName],
    ["report", "from", r.range.from],
    ["report", "to", r.range.to],
    ["report", "generated", r.generatedAt],
    ["totals", "incidents", r.total],
    ["mtta_minutes", "p50", round(r.mtta.p50)],
    ["mtta_minutes", "p90", round(r.mtta.p90)],
    ["mtta_minutes", "acknowledged", r.mtta.n],
    ["mttr_minutes", "p50", round(r.mttr.p50)],
    ["mttr_minutes", "p90", round(r.mttr.p90)],
    ["mttr_minutes", "resolved", r.mttr.n],
    ["sla_ack", "met", r.sla.ack.met],
    ["sla_ack", "decided", r.sla.ack.decided],
    ["sla_resolve", "met", r.sla.resolve.met],
    ["sla_resolve", "decided", r.sla.resolve.decided],
    ...r.bySeverity.map((c) => ["severity", c.key, c.count]),
    ...r.byClassification.map((c) => ["classification", c.key, c.count]),
    ...r.byDetermination.map((c) => ["determination", c.key, c.count]),
    ...r.topAlertTitles.map((t) => ["top_alert_title", t.title, t.count]),
    ...r.trend.flatMap((d) => [
      ["created_per_day", d.day, d.created],
      ["resolved_per_day", d.day, d.resolved],
    ]),
  ];
  return toCsv(["section", "item", "value"], rows);
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
