import { getOnboardingPage } from "@/lib/data/consent";

export const metadata = { title: "Grant access", robots: { index: false, follow: false } };
export const dynamic = "force-dynamic";

/** The customer-facing page: no portal account needed; the unguessable link is the only key. */
export default async function OnboardPage({ params }: { params: Promise<{ state: string }> }) {
  const { state } = await params;
  const page = await getOnboardingPage(state);
  return (
    <main className="mx-auto max-w-2xl px-4 py-12">
      {!page.ok ? (
        <div className="rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200">
          <h1 className="text-xl font-semibold">This link cannot be used</h1>
          <p className="mt-3 text-slate-700" data-testid="onboarding-invalid">
            {page.reason}
          </p>
        </div>
      ) : (
        <div className="rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200">
          <p className="text-sm font-medium text-blue-800">Microsoft Defender managed security</p>
          {page.capability ? (
            <>
              <h1 className="mt-1 text-2xl font-semibold" data-testid="onboarding-upgrade">
                <span className="inert-text">{page.partnerName}</span> asks <span className="inert-text">{page.customerName}</span> for additional permissions:{" "}
                {page.capability.label}
              </h1>
              <p className="mt-4 text-slate-700" data-testid="onboarding-why">
                Your organization already granted <span className="inert-text">{page.partnerName}</span> read access. {page.capability.why} Only the permissions
                listed below are added; everything granted before stays as it is. A Global Administrator (or Privileged Role Administrator) of your organization
                approves it at Microsoft.
              </p>
            </>
          ) : (
            <>
              <h1 className="mt-1 text-2xl font-semibold">
                <span className="inert-text">{page.partnerName}</span> asks <span className="inert-text">{page.customerName}</span> for read access to Microsoft
                Defender
              </h1>
              <p className="mt-4 text-slate-700">
                <span className="inert-text">{page.partnerName}</span> monitors your Microsoft Defender incidents and alerts. To do that, a Global Administrator
                (or Privileged Role Administrator) of your Microsoft 365 organization grants their app the permissions below. You will sign in at Microsoft,
                review the same list there, and approve.
              </p>
            </>
          )}
          <h2 className="mt-6 text-sm font-semibold uppercase tracking-wide text-slate-500">The app</h2>
          <p className="mt-1 text-sm">
            Application (client) ID <code className="rounded bg-slate-100 px-1">{page.clientId}</code> — check that Microsoft shows the same ID.
          </p>
          {page.permissions.length > 0 && (
            <>
              <h2 className="mt-6 text-sm font-semibold uppercase tracking-wide text-slate-500">
                {page.capability ? "Application permissions that will be added" : "Application permissions that will be granted"}
              </h2>
              <ul className="mt-2 space-y-3" data-testid="onboarding-permissions">
                {page.permissions.map((p) => (
                  <li key={`${p.resource}/${p.permission}`} className="rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">
                    <div className="font-mono text-sm">{p.permission}</div>
                    <div className="text-xs text-slate-500">{p.api} · application permission</div>
                    <div className="mt-1 text-sm text-slate-700">{p.description}</div>
                  </li>
                ))}
              </ul>
            </>
          )}
          {page.delegated.length > 0 && (
            <>
              <h2 className="mt-6 text-sm font-semibold uppercase tracking-wide text-slate-500">Delegated permissions that will be added</h2>
              <ul className="mt-2 space-y-3" data-testid="onboarding-delegated-permissions">
                {page.delegated.map((p) => (
                  <li key={`${p.resource}/${p.permission}`} className="rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">
                    <div className="font-mono text-sm">{p.permission}</div>
                    <div className="text-xs text-slate-500">{p.api} · delegated permission (on behalf of a signed-in user)</div>
                    <div className="mt-1 text-sm text-slate-700">{p.description}</div>
                  </li>
                ))}
              </ul>
              <p className="mt-2 text-sm text-slate-600">
                Delegated permissions let the partner&apos;s analysts act with their own accounts in your tenant. For each analyst, invite their account as a
                guest (Entra admin center → Users → Invite external user) and give it a Microsoft Defender role; that role limits what they can do, and Defender
                records them as the author of each change.
              </p>
            </>
          )}
          <p className="mt-4 text-sm text-slate-600">
            {page.capability && page.permissions.length === 0
              ? "No application permission is added."
              : page.capability
                ? "These are application permissions for the app itself (no user signs in as you)."
                : "These are read permissions for the app itself (no user signs in as you)."}{" "}
            You can remove them at any time in the Microsoft Entra admin center under Enterprise applications. This link works once and expires on{" "}
            {page.expiresAt.toUTCString()}.
          </p>
          <a
            href={page.consentUrl}
            className="mt-6 inline-flex rounded-md bg-blue-700 px-4 py-2.5 font-semibold text-white hover:bg-blue-800"
            data-testid="grant-consent"
          >
            Grant admin consent
          </a>
          {page.partnerContactEmail && <p className="mt-6 text-xs text-slate-500">Questions? Contact {page.partnerContactEmail}.</p>}
        </div>
      )}
    </main>
  );
}
