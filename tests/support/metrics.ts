/** Every `portal_*` series of a Prometheus text scrape: name and label set. */
export function seriesOf(text: string): { name: string; labels: Record<string, string> }[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("portal_"))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(l);
      if (!m) throw new Error(`not a sample line: ${l}`);
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
      return { name: m[1]!, labels };
    });
}
