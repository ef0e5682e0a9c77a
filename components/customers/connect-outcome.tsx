import type { ConnectOutcome } from "@/lib/data/delegated";

/**
 * What came back from connecting, in plain words with what to do next. AADSTS50020 (the account is not in the
 * customer's tenant) and AADSTS65001 (no admin consent for the delegated permissions) say what the customer must set up.
 */
export function ConnectOutcomeNotice({ outcome, code, customerName }: { outcome: ConnectOutcome; code?: string; customerName: string }) {
  const codeText = code ? ` (${code})` : "";
  const box = (tone: "ok" | "error", testId: string, children: React.ReactNode) => (
    <div
      role={tone === "ok" ? "status" : "alert"}
      data-testid={testId}
      className={`space-y-2 rounded-md p-4 text-sm ring-1 ${tone === "ok" ? "bg-emerald-50 text-emerald-900 ring-emerald-200" : "bg-red-50 text-red-900 ring-red-200"}`}
    >
      {children}
    </div>
  );
  switch (outcome) {
    case "connected":
      return box(
        "ok",
        "connect-outcome-connected",
        <p>Connected. Changes you make at this customer now run as your account when its write mode is “each analyst”.</p>,
      );
    case "not_in_tenant":
      return box(
        "error",
        "connect-outcome-not-in-tenant",
        <>
          <p className="font-semibold">
            The account you signed in with is not in <span className="inert-text">{customerName}</span>&apos;s Microsoft tenant{codeText}.
          </p>
          <p>
            What <span className="inert-text">{customerName}</span> must do: an administrator of their tenant invites your account as a guest (Microsoft Entra
            admin center → Users → Invite external user), or sets up a partner relationship that gives your account access, and gives it a Microsoft Defender
            role with the permissions you need (Alerts investigation for triage, Active remediation actions for device response actions). Then connect again,
            and pick that account.
          </p>
        </>,
      );
    case "consent_missing":
      return box(
        "error",
        "connect-outcome-consent-missing",
        <>
          <p className="font-semibold">
            <span className="inert-text">{customerName}</span>&apos;s administrator has not consented to the delegated permissions{codeText}.
          </p>
          <p>
            What <span className="inert-text">{customerName}</span> must do: an administrator approves the partner app&apos;s delegated permissions for all
            users (Incident.ReadWrite on Microsoft Threat Protection; Machine.Read, Machine.Isolate, Machine.Scan, Machine.CollectForensics on
            WindowsDefenderATP), through the additional-permissions link a partner admin creates on the customer&apos;s page, or in the Entra admin center
            (Enterprise applications → the partner app → Permissions → Grant admin consent).
          </p>
        </>,
      );
    case "declined":
      return box("error", "connect-outcome-declined", <p>The sign-in was cancelled{codeText}. Nothing was stored.</p>);
    case "wrong_tenant":
      return box(
        "error",
        "connect-outcome-wrong-tenant",
        <p>Microsoft answered for another tenant than this customer&apos;s. Nothing was stored; connect again.</p>,
      );
    case "expired":
      return box("error", "connect-outcome-expired", <p>The sign-in took too long or was not started here. Nothing was stored; connect again.</p>);
    default:
      return box("error", "connect-outcome-failed", <p>Microsoft did not complete the sign-in{codeText}. Nothing was stored; try again.</p>);
  }
}
