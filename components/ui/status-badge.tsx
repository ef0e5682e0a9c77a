const STYLES: Record<string, string> = {
  PENDING: "bg-amber-50 text-amber-800 ring-amber-200",
  CONSENTED: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  DECLINED: "bg-slate-100 text-slate-700 ring-slate-300",
  REVOKED: "bg-orange-50 text-orange-800 ring-orange-200",
  ERROR: "bg-red-50 text-red-800 ring-red-200",
  AWAITING_CONFIRMATION: "bg-sky-50 text-sky-800 ring-sky-200",
};
const LABELS: Record<string, string> = {
  PENDING: "Pending",
  CONSENTED: "Consented",
  DECLINED: "Declined",
  REVOKED: "Revoked",
  ERROR: "Error",
  AWAITING_CONFIRMATION: "Awaiting confirmation",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      data-testid="customer-status"
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[status] ?? STYLES.DECLINED}`}
    >
      {LABELS[status] ?? status}
    </span>
  );
}

const OUTCOME_LABELS: Record<string, string> = {
  CONSENTED: "Consented",
  DECLINED: "Declined",
  NOT_ADMIN: "Not an admin",
  WRONG_DIRECTORY: "Wrong directory",
  PERMISSIONS_MISSING: "Permissions missing",
  VERIFICATION_FAILED: "Verification failed",
  REFUSED: "Refused",
  AWAITING_CONFIRMATION: "Awaiting confirmation",
  CONFIRMED: "Tenant confirmed",
  REJECTED: "Tenant rejected",
  PERMISSIONS_UPDATED: "Permissions updated",
};
export function outcomeLabel(outcome: string): string {
  return OUTCOME_LABELS[outcome] ?? outcome;
}
