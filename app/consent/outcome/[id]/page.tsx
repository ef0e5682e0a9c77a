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
    case "PERMISSIONS_MISSING":
      return `${partner} has been told which permissions are missing and will send a new link.`;
    default:
      return `Nothing was recorded. Ask ${partner} for a new link.`;
  }
}

export default async function ConsentOutcomePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const o = await getConsentOutcome(id);
  if (!o) notFound();
  const good = o.outcome === "CONSENTED";
  return (
    <main className="mx-auto max-w-xl px-4 py-16">
      <div className="rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200" data-testid="consent-outcome" data-outcome={o.outcome}>
        <h1 className={`text-2xl font-semibold ${good ? "text-emerald-800" : "text-slate-900"}`}>{HEADLINES[o.outcome] ?? "Consent"}</h1>
        {o.customerName && <p className="mt-1 text-sm text-slate-500 inert-text">{o.customerName}</p>}
        {!good && <p className="mt-4 text-slate-800" data-testid="consent-reason">{o.reason}</p>}
        {o.missingRoles.length > 0 && (
          <ul className="mt-3 list-disc pl-5 text-sm text-red-800">
            {o.missingRoles.map((r) => <li key={r} className="font-mono text-xs">{r}</li>)}
          </ul>
        )}
        <p className="mt-4 text-slate-700">{nextStep(o.outcome, o.partnerName)}</p>
        {o.errorCode && <p className="mt-4 font-mono text-xs text-slate-500">Reference: {o.errorCode}</p>}
      </div>
    </main>
  );
}
