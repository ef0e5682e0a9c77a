import { InertText, inertString } from "../inert-text";

/** How a result column is shown, from Microsoft's schema type (huntingQueryResults.schema[].type). */
export type CellKind = "date" | "number" | "boolean" | "json" | "text";

export function cellKind(type: string): CellKind {
  const t = type.toLowerCase();
  if (t.includes("date") || t === "timespan") return t === "timespan" ? "text" : "date";
  if (t === "object" || t === "dynamic") return "json";
  if (/^(int|long|double|real|decimal|float|single|sbyte|byte|uint|ulong)/.test(t)) return "number";
  if (t.startsWith("bool")) return "boolean";
  return "text";
}

/** One result value: dates as dates, dynamic values as expandable JSON, text inert (tenant data is hostile). */
export function HuntCell({ value, kind }: { value: unknown; kind: CellKind }) {
  if (value === null || value === undefined || value === "") return <span className="text-slate-400">—</span>;
  if (typeof value === "object" || kind === "json") {
    const pretty = typeof value === "string" ? value : JSON.stringify(value, null, 2);
    const preview = inertString(typeof value === "string" ? value : JSON.stringify(value), 60);
    return (
      <details className="max-w-md" data-testid="hunt-json">
        <summary className="cursor-pointer font-mono text-xs text-slate-700">
          {preview.text}
          {preview.omitted > 0 ? "…" : ""}
        </summary>
        <pre className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 text-xs">
          <InertText value={pretty} max={20_000} />
        </pre>
      </details>
    );
  }
  if (kind === "date" && typeof value === "string") {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime()))
      return (
        <time dateTime={d.toISOString()} title={value} className="whitespace-nowrap tabular-nums">
          {d.toISOString().replace("T", " ").slice(0, 19)}
        </time>
      );
  }
  if (kind === "number" || typeof value === "number")
    return <span className="tabular-nums">{typeof value === "number" ? value.toLocaleString("en-US") : String(value)}</span>;
  if (typeof value === "boolean") return <span>{value ? "true" : "false"}</span>;
  return <InertText value={String(value)} max={1_000} className="break-all" />;
}
