import { label } from "../shared/canonical.ts";
import { CHART, trendBars } from "./chart.ts";
import { minutes, percent, type CustomerReport } from "./customer-report.ts";

/**
 * The report as one self-contained HTML document for Chromium's PDF: inline CSS and SVG, no script, no external
 * resource. Every value that came from a tenant goes through `esc` (and control / bidi characters are made visible),
 * so hostile titles stay text.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

export function esc(value: unknown): string {
  return String(value ?? "")
    .replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}…` : s);

function table(title: string, rows: { key: string; count: number }[], labelled = true): string {
  const body = rows.length
    ? rows.map((r) => `<tr><td>${esc(labelled ? label(r.key) : r.key)}</td><td class="n">${r.count}</td></tr>`).join("")
    : `<tr><td colspan="2" class="muted">None</td></tr>`;
  return `<section><h2>${esc(title)}</h2><table><tbody>${body}</tbody></table></section>`;
}

export function reportHtml(r: CustomerReport): string {
  const { bars, max } = trendBars(r.trend);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART.width} ${CHART.height + CHART.axis}" width="100%" role="img" aria-label="Incidents per day">
${bars
  .map(
    (b) =>
      `<rect x="${b.x.toFixed(1)}" y="${b.createdY.toFixed(1)}" width="${b.width.toFixed(1)}" height="${b.createdH.toFixed(1)}" fill="#1d4ed8"/>` +
      `<rect x="${(b.x + b.width + 1).toFixed(1)}" y="${b.resolvedY.toFixed(1)}" width="${b.width.toFixed(1)}" height="${b.resolvedH.toFixed(1)}" fill="#059669"/>`,
  )
  .join("\n")}
<text x="0" y="${CHART.height + 14}" font-size="10" fill="#64748b">${esc(r.trend[0]?.day ?? "")}</text>
<text x="${CHART.width}" y="${CHART.height + 14}" font-size="10" fill="#64748b" text-anchor="end">${esc(r.trend[r.trend.length - 1]?.day ?? "")}</text>
</svg>`;
  const titles = r.topAlertTitles.length
    ? r.topAlertTitles.map((t) => `<tr><td>${esc(cut(t.title, 200))}</td><td class="n">${t.count}</td></tr>`).join("")
    : `<tr><td colspan="2" class="muted">None</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service report</title>
<style>
@page { size: A4; margin: 16mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #0f172a; font-size: 11px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 13px; margin: 14px 0 6px; }
.muted { color: #64748b; } .grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
.kpi { border: 1px solid #e2e8f0; border-radius: 6px; padding: 6px 8px; } .kpi b { display: block; font-size: 16px; }
table { border-collapse: collapse; width: 100%; } td { border-bottom: 1px solid #e2e8f0; padding: 3px 4px; word-break: break-word; }
td.n { text-align: right; width: 60px; } .cols { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
</style></head>
<body>
<h1>Service report: ${esc(r.customer.displayName)}</h1>
<p class="muted">Incidents created ${esc(r.range.from)} to ${esc(r.range.to)} (UTC) · generated ${esc(r.generatedAt.toISOString().slice(0, 16).replace("T", " "))} UTC</p>
<div class="grid">
<div class="kpi">Incidents<b>${r.total}</b></div>
<div class="kpi">MTTA p50 / p90<b>${esc(minutes(r.mtta.p50))} / ${esc(minutes(r.mtta.p90))}</b><span class="muted">${r.mtta.n} acknowledged</span></div>
<div class="kpi">MTTR p50 / p90<b>${esc(minutes(r.mttr.p50))} / ${esc(minutes(r.mttr.p90))}</b><span class="muted">${r.mttr.n} resolved</span></div>
<div class="kpi">SLA attainment<b>${esc(percent(r.sla.ack.met, r.sla.ack.decided))} ack · ${esc(percent(r.sla.resolve.met, r.sla.resolve.decided))} resolve</b><span class="muted">${r.sla.ack.met}/${r.sla.ack.decided} · ${r.sla.resolve.met}/${r.sla.resolve.decided}</span></div>
</div>
<h2>Incidents per day</h2>
${svg}
<p class="muted">Blue: created; green: resolved (of these incidents). Scale: ${max} per day.</p>
<div class="cols">
${table("By severity", r.bySeverity)}
${table("By classification", r.byClassification)}
${table("By determination", r.byDetermination)}
</div>
<section><h2>Top alert titles</h2><table><tbody>${titles}</tbody></table></section>
<p class="muted">Times are observed by the portal's sync: precise to one sync interval. MTTA and MTTR are wall-clock minutes; SLA attainment counts incidents whose deadline was met, of those whose deadline has passed or was met.</p>
</body></html>`;
}
