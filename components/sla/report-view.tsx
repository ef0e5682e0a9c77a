import type { CustomerReport } from "@/lib/reports/customer-report";
import { minutes, percent } from "@/lib/reports/customer-report";
import { CHART, trendBars } from "@/lib/reports/chart";
import { label } from "../incidents/badges";
import { InertText } from "../inert-text";
import { formatDateTime } from "../ui/primitives";

function Kpi({ title, value, note, testId }: { title: string; value: string; note?: string; testId: string }) {
  return (
    <div className="rounded-lg bg-white px-3 py-2 shadow-sm ring-1 ring-slate-200 print:shadow-none" data-testid={testId}>
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">{title}</div>
      <div className="text-xl font-semibold tabular-nums">{value}</div>
      {note && <div className="text-xs text-slate-500">{note}</div>}
    </div>
  );
}

function CountTable({ title, rows, testId }: { title: string; rows: { key: string; count: number }[]; testId: string }) {
  return (
    <section className="break-inside-avoid">
      <h2 className="mb-1 text-sm font-semibold">{title}</h2>
      <table className="w-full text-sm" data-testid={testId}>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.key}>
              <td className="py-1">{label(r.key)}</td>
              <td className="py-1 text-right tabular-nums">{r.count}</td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td className="py-1 text-slate-400">None</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** Incidents created (blue) and resolved (green) per day: inline SVG, no chart library. */
export function ReportTrendChart({ trend }: { trend: CustomerReport["trend"] }) {
  const { bars, max } = trendBars(trend);
  return (
    <figure>
      <svg
        viewBox={`0 0 ${CHART.width} ${CHART.height + CHART.axis}`}
        className="max-h-64 w-full"
        role="img"
        aria-label="Incidents per day"
        data-testid="report-trend"
      >
        {bars.map((b) => (
          <g key={b.day}>
            <rect x={b.x} y={b.createdY} width={b.width} height={b.createdH} className="fill-blue-700">
              <title>{`${b.day}: ${b.created} created`}</title>
            </rect>
            <rect x={b.x + b.width + 1} y={b.resolvedY} width={b.width} height={b.resolvedH} className="fill-emerald-600">
              <title>{`${b.day}: ${b.resolved} resolved`}</title>
            </rect>
          </g>
        ))}
        <text x={0} y={CHART.height + 14} fontSize={10} className="fill-slate-500">
          {trend[0]?.day}
        </text>
        <text x={CHART.width} y={CHART.height + 14} textAnchor="end" fontSize={10} className="fill-slate-500">
          {trend[trend.length - 1]?.day}
        </text>
      </svg>
      <figcaption className="text-xs text-slate-500">Blue: created; green: resolved (of these incidents). Scale: {max} per day.</figcaption>
    </figure>
  );
}

/** The printable body of a customer report. */
export function ReportView({ report }: { report: CustomerReport }) {
  return (
    <div className="space-y-6" data-testid="customer-report">
      <p className="text-sm text-slate-600">
        Incidents created {report.range.from} to {report.range.to} (UTC) · generated {formatDateTime(report.generatedAt)}
      </p>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4 print:grid-cols-4">
        <Kpi title="Incidents" value={String(report.total)} testId="report-total" />
        <Kpi
          title="MTTA p50 / p90"
          value={`${minutes(report.mtta.p50)} / ${minutes(report.mtta.p90)}`}
          note={`${report.mtta.n} acknowledged`}
          testId="report-mtta"
        />
        <Kpi
          title="MTTR p50 / p90"
          value={`${minutes(report.mttr.p50)} / ${minutes(report.mttr.p90)}`}
          note={`${report.mttr.n} resolved`}
          testId="report-mttr"
        />
        <Kpi
          title="SLA attainment"
          value={`${percent(report.sla.ack.met, report.sla.ack.decided)} ack · ${percent(report.sla.resolve.met, report.sla.resolve.decided)} resolve`}
          note={`${report.sla.ack.met}/${report.sla.ack.decided} acknowledged, ${report.sla.resolve.met}/${report.sla.resolve.decided} resolved within SLA`}
          testId="report-sla"
        />
      </div>
      <section className="break-inside-avoid">
        <h2 className="mb-1 text-sm font-semibold">Incidents per day</h2>
        <ReportTrendChart trend={report.trend} />
      </section>
      <div className="grid gap-6 md:grid-cols-3 print:grid-cols-3">
        <CountTable title="By severity" rows={report.bySeverity} testId="report-severity" />
        <CountTable title="By classification" rows={report.byClassification} testId="report-classification" />
        <CountTable title="By determination" rows={report.byDetermination} testId="report-determination" />
      </div>
      <section className="break-inside-avoid">
        <h2 className="mb-1 text-sm font-semibold">Top alert titles</h2>
        <table className="w-full text-sm" data-testid="report-titles">
          <tbody className="divide-y divide-slate-100">
            {report.topAlertTitles.map((t, i) => (
              <tr key={i}>
                <td className="py-1">
                  <InertText value={t.title} max={200} />
                </td>
                <td className="py-1 text-right tabular-nums">{t.count}</td>
              </tr>
            ))}
            {report.topAlertTitles.length === 0 && (
              <tr>
                <td className="py-1 text-slate-400">None</td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      <p className="text-xs text-slate-500">
        Times are observed by the portal&apos;s sync: precise to one sync interval. MTTA and MTTR are wall-clock minutes from creation; SLA attainment counts
        incidents that met their deadline, of those whose deadline has passed or was met.
      </p>
    </div>
  );
}
