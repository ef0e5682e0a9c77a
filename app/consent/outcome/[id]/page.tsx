import { notFound } from "next/navigation";
import { getConsentOutcome } from "@/lib/data/consent";

export const metadata = { title: "Consent", robots: { index: false, follow: false } };
export const dynamic = "force-dynamic";

const HEADLINES: Record<string, string> = {
  CONSENTED: "Access granted",
  DECLINED: "Consent declined",
  NOT_ADMIN: "An administrator must approve",
  WRONG_DIRECTORY: "Signed in to the wrong organization",
  PERMISSIONS_MISSING: "Consent recorded, but permissions are missing",
  VERIFICATION_FAILED: "Consent could not be verified",
  REFUSED: "This consent response was not accepted",
  AWAITING_CONFIRMATION: "Consent received",
  PERMISSIONS_UPDATED: "Additional permissions granted",
};

function nextStep(outcome: string, partner: string): string {
  switch (outcome) {
    case "CONSENTED":
      return `${partner} can now read your Microsoft Defender incidents and alerts. You can close this page. To withdraw access later, remove the app under Enterprise applications in the Microsoft Entra admin center.`;
    case "DECLINED":
      return `Nothing was granted. If this was a mistake, ask ${partner} for a new link.`;
    case "NOT_ADMIN":
      return `Nothing was granted. Forward the request to a Global Administrator of your organization and ask ${partner} for a new link for them.`;
    case "WRONG_DIRECTORY":
      return `Nothing was granted. Sign in with an administrator account of your own organization; ask ${partner} for a new link.`;
    case "AWAITING_CONFIRMATION":
      return `${partner} will confirm your organization and then start monitoring your Microsoft Defender incidents and alerts. You can close this page.`;
    case "PERMISSIONS_UPDATED":
      return `${partner} can now use the additional permissions. You can close this page.`;
    case "PERMISSIONS_MISSING":
      return `${partner} has been told which permissions are missing and will send a new link.`;
    default:
      return `Nothing was recorded. Ask ${partner} for a new link.`;
  }
}

export default async function ConsentOutcomePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // A callback that named no link of ours: nothing was recorded, so there is no ledger entry to show.
  if (id === "invalid") {
    return (
      <main className="mx-auto max-w-xl px-4 py-16">
        <div className="rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200" data-testid="consent-outcome" data-outcome="INVALID">
          <h1 className="text-2xl font-semibold text-slate-900">This consent response was not accepted</h1>
          <p className="mt-4 text-slate-800" data-testid="consent-reason">
            It does not belong to a consent link issued by this portal. Nothing was recorded. Use the link your partner sent you.
          </p>
        </div>
      </main>
    );
  }
  const o = await getConsentOutcome(id);
  if (!o) notFound();
  const good = o.outcome === "CONSENTED" || o.outcome === "PERMISSIONS_UPDATED" || o.outcome === "AWAITING_CONFIRMATION";
  return (
    <main className="mx-auto max-w-xl px-4 py-16">
      <div className="rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200" data-testid="consent-outcome" data-outcome={o.outcome}>
        <h1 className={`text-2xl font-semibold ${good ? "text-emerald-800" : "text-slate-900"}`}>{HEADLINES[o.outcome] ?? "Consent"}</h1>
        {o.customerName && <p className="mt-1 text-sm text-slate-500 inert-text">{o.customerName}</p>}
        {!good && (
          <p className="mt-4 text-slate-800" data-testid="consent-reason">
            {o.reason}
          </p>
        )}
        {o.missingRoles.length > 0 && (
          <ul className="mt-3 list-disc pl-5 text-sm text-red-800">
            {o.missingRoles.map((r) => (
              <li key={r} className="font-mono text-xs">
                {r}
              </li>
            ))}
          </ul>
        )}
        <p className="mt-4 text-slate-700">{nextStep(o.outcome, o.partnerName)}</p>
        {o.errorCode && <p className="mt-4 font-mono text-xs text-slate-500">Reference: {o.errorCode}</p>}
      </div>
    </main>
  );
}
