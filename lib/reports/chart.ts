/** Bar geometry for the report's daily trend, shared by the React page and the PDF's HTML (no chart library). */
export interface TrendBar {
  day: string;
  created: number;
  resolved: number;
  x: number;
  width: number;
  createdY: number;
  createdH: number;
  resolvedY: number;
  resolvedH: number;
}

export const CHART = { width: 640, height: 140, axis: 18 } as const;

export function trendBars(trend: { day: string; created: number; resolved: number }[]): { bars: TrendBar[]; max: number } {
  const max = Math.max(1, ...trend.map((t) => Math.max(t.created, t.resolved)));
  const slot = CHART.width / Math.max(1, trend.length);
  const w = Math.max(1, slot / 2 - 1);
  const bars = trend.map((t, i) => {
    const ch = (t.created / max) * CHART.height;
    const rh = (t.resolved / max) * CHART.height;
    return {
      ...t,
      x: i * slot,
      width: w,
      createdY: CHART.height - ch,
      createdH: ch,
      resolvedY: CHART.height - rh,
      resolvedH: rh,
    };
  });
  return { bars, max };
}
