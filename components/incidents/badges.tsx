import { label } from "@/lib/shared/canonical";

// One label per canonical value (lib/shared/canonical.ts), shared with everything else that names them.
export { label };

const SEVERITY: Record<string, string> = {
  high: "bg-red-100 text-red-800 ring-red-200",
  medium: "bg-orange-100 text-orange-800 ring-orange-200",
  low: "bg-yellow-50 text-yellow-800 ring-yellow-200",
  informational: "bg-sky-50 text-sky-800 ring-sky-200",
  unknown: "bg-slate-100 text-slate-700 ring-slate-200",
};
export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <span
      data-testid="severity"
      className={`inline-flex rounded px-1.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${SEVERITY[severity] ?? SEVERITY.unknown}`}
    >
      {label(severity)}
    </span>
  );
}

export function StatusText({ status }: { status: string }) {
  const color = status === "resolved" ? "text-slate-500" : status === "inProgress" ? "text-blue-700" : "text-slate-900";
  return (
    <span data-testid="incident-status" className={`text-sm ${color}`}>
      {label(status)}
    </span>
  );
}
