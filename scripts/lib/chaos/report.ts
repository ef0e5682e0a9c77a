import type { RowAudit } from "./audit.ts";
import { missedTargets, type ScenarioResult } from "./campaign.ts";

const HEADERS = ["scenario", "tenants", "incidents lost/dup/stale", "alerts lost/dup/stale", "healthy complete", "flagged right", "checks", "time", "outcome"];

/** The campaign's table: one row per scenario, then each miss spelled out. */
export function formatReport(results: ScenarioResult[]): string {
  const rows = results.map(row);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const out = [line(HEADERS), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)];
  for (const r of results) {
    const misses = missedTargets(r);
    if (misses.length) out.push("", `${r.name} missed:`, ...misses.map((m) => `  - ${m}`));
  }
  const failed = results.filter((r) => !r.passed).length;
  out.push("", failed ? `${failed} of ${results.length} scenarios missed a target.` : `All ${results.length} scenarios met every target.`);
  return out.join("\n");
}

function row(r: ScenarioResult): string[] {
  const a = r.audit;
  const checks = r.checks.length ? `${r.checks.filter((c) => c.ok).length}/${r.checks.length}` : "-";
  return [
    r.name,
    String(r.tenants),
    a ? triple(a.incidents) : "-",
    a ? triple(a.alerts) : "-",
    a ? `${a.completed.ok}/${a.completed.of}` : "-",
    a && a.flagged.of ? `${a.flagged.ok}/${a.flagged.of}` : "-",
    checks,
    `${r.seconds} s`,
    r.error ? "CRASHED" : r.passed ? "pass" : "MISS",
  ];
}

const triple = (r: RowAudit) => `${r.lost}/${r.duplicated}/${r.stale}`;
