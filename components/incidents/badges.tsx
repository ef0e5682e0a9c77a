import { label } from "@/lib/shared/canonical";

// One label per canonical value (lib/shared/canonical.ts), shared with everything else that names them.
export { label };

const SEVERITIES = new Set(["high", "medium", "low", "informational"]);

/** `.sev-<severity>` lives in app/globals.css (one short class instead of a Tailwind string per badge). */
export function severityClass(severity: string): string {
  return `sev-${SEVERITIES.has(severity) ? severity : "unknown"}`;
}

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <span data-testid="severity" className={severityClass(severity)}>
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
