// `.consent-<status>` in app/globals.css: one short class per badge (the overview shows one per customer row).
const KNOWN = new Set(["PENDING", "CONSENTED", "DECLINED", "REVOKED", "ERROR", "AWAITING_CONFIRMATION"]);
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
    <span data-testid="customer-status" className={`consent-${KNOWN.has(status) ? status : "DECLINED"}`}>
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
