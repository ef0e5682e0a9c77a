const SEVERITY: Record<string, string> = {
  high: "bg-red-100 text-red-800 ring-red-200",
  medium: "bg-orange-100 text-orange-800 ring-orange-200",
  low: "bg-yellow-50 text-yellow-800 ring-yellow-200",
  informational: "bg-sky-50 text-sky-800 ring-sky-200",
  unknown: "bg-slate-100 text-slate-700 ring-slate-200",
};
const LABEL: Record<string, string> = {
  high: "High", medium: "Medium", low: "Low", informational: "Informational", unknown: "Unknown",
  active: "Active", inProgress: "In progress", resolved: "Resolved", redirected: "Redirected", new: "New",
  truePositive: "True positive", falsePositive: "False positive", informationalExpectedActivity: "Informational, expected activity",
};

export function label(value: string | null | undefined): string {
  if (!value) return "—";
  return LABEL[value] ?? value.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
}

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <span data-testid="severity" className={`inline-flex rounded px-1.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${SEVERITY[severity] ?? SEVERITY.unknown}`}>
      {label(severity)}
    </span>
  );
}

export function StatusText({ status }: { status: string }) {
  const color = status === "resolved" ? "text-slate-500" : status === "inProgress" ? "text-blue-700" : "text-slate-900";
  return <span data-testid="incident-status" className={`text-sm ${color}`}>{label(status)}</span>;
}
