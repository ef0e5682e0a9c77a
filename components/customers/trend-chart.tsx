/** Incidents created per day over the last 30 days, as an inline SVG (no chart library, nothing external). */
export function TrendChart({ trend }: { trend: { day: string; created: number }[] }) {
  const max = Math.max(1, ...trend.map((t) => t.created));
  const w = 600;
  const h = 120;
  const bar = w / trend.length;
  return (
    <figure>
      <svg viewBox={`0 0 ${w} ${h + 20}`} className="w-full" role="img" aria-label="Incidents created per day, last 30 days" data-testid="trend-chart">
        {trend.map((t, i) => {
          const bh = (t.created / max) * h;
          return (
            <g key={t.day}>
              <rect x={i * bar + 2} y={h - bh} width={bar - 4} height={bh} className="fill-blue-600">
                <title>{`${t.day}: ${t.created}`}</title>
              </rect>
            </g>
          );
        })}
        <text x={0} y={h + 15} className="fill-slate-500 text-[10px]">
          {trend[0]?.day}
        </text>
        <text x={w} y={h + 15} textAnchor="end" className="fill-slate-500 text-[10px]">
          {trend[trend.length - 1]?.day}
        </text>
      </svg>
      <figcaption className="text-xs text-slate-500">Incidents created per day (max {max}).</figcaption>
    </figure>
  );
}
