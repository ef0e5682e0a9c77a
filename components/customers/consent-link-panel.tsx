import { createLinkAction, revokeLinkAction } from "@/lib/actions/customers";
import { CopyButton } from "../copy-button";
import { ActionButton } from "../ui/action-button";
import { Card, formatDateTime } from "../ui/primitives";
import { ManualTenantForm } from "./manual-tenant-form";

interface Link {
  consentUrl: string;
  onboardingUrl: string;
  expiresAt: Date;
  createdAt: Date;
}

export function ConsentLinkPanel({ customerId, link, legacyLink }: { customerId: string; link: Link | null; legacyLink: string | null }) {
  return (
    <Card
      title="Onboarding"
      actions={
        <ActionButton
          action={createLinkAction.bind(null, customerId)}
          label={link ? "Regenerate link" : "Create consent link"}
          pendingLabel="Creating…"
          variant={link ? "secondary" : "primary"}
          testId="create-link"
        />
      }
    >
      {link ? (
        <div className="space-y-4 text-sm">
          <div>
            <p className="font-medium text-slate-800">Send this page to the customer&apos;s Global Administrator</p>
            <p className="text-xs text-slate-500">
              It explains who you are and what will be granted, then leads to Microsoft&apos;s consent screen. Single use; expires{" "}
              {formatDateTime(link.expiresAt)}.
            </p>
            <div className="mt-2 flex gap-2">
              <input
                readOnly
                value={link.onboardingUrl}
                aria-label="Onboarding page URL"
                data-testid="onboarding-url"
                className="w-full rounded-md border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-xs"
              />
              <CopyButton value={link.onboardingUrl} />
            </div>
          </div>
          <div>
            <p className="font-medium text-slate-800">Or the admin-consent URL itself</p>
            <div className="mt-2 flex gap-2">
              <input
                readOnly
                value={link.consentUrl}
                aria-label="Admin consent URL"
                data-testid="consent-url"
                className="w-full rounded-md border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-xs"
              />
              <CopyButton value={link.consentUrl} />
            </div>
          </div>
          <ActionButton action={revokeLinkAction.bind(null, customerId)} label="Revoke link" pendingLabel="Revoking…" variant="danger" testId="revoke-link" />
        </div>
      ) : (
        <p className="text-sm text-slate-600">No live consent link. Create one to onboard this customer.</p>
      )}
      {legacyLink && (
        <details className="mt-6 border-t border-slate-200 pt-4 text-sm">
          <summary className="cursor-pointer font-medium text-slate-800">Using Microsoft&apos;s documented partner link instead</summary>
          <p className="mt-2 text-xs text-slate-600">
            Microsoft&apos;s partner docs give this link. It returns nothing to the portal: after the customer approves, ask them for their tenant ID and enter
            it below. The portal verifies it with an app token before recording anything.
          </p>
          <div className="mt-2 flex gap-2">
            <input
              readOnly
              value={legacyLink}
              aria-label="Legacy consent link"
              data-testid="legacy-url"
              className="w-full rounded-md border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-xs"
            />
            <CopyButton value={legacyLink} />
          </div>
          <ManualTenantForm customerId={customerId} />
        </details>
      )}
    </Card>
  );
}
