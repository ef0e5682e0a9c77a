import { createUpgradeLinkAction } from "@/lib/actions/tenant-binding";
import { CopyButton } from "../copy-button";
import { ActionButton } from "../ui/action-button";
import { formatDateTime } from "../ui/primitives";

export interface CapabilityView {
  key: string;
  label: string;
  why: string;
  granted: boolean;
  missing: string[];
  permissions: string[];
  canRequest: boolean;
  upgradeLink: { expiresAt: Date; onboardingUrl: string } | null;
}

function CapabilityRow({ customerId, capability }: { customerId: string; capability: CapabilityView }) {
  return (
    <li className="py-3" data-testid={`capability-${capability.key}`} data-granted={capability.granted}>
      <div className="flex items-start justify-between gap-4">
        <div>
          <div className="text-sm font-medium text-slate-900">{capability.label}</div>
          <div className="font-mono text-xs text-slate-500">{capability.permissions.join(", ")}</div>
        </div>
        <div className="text-sm">
          {capability.granted ? (
            <span className="text-emerald-700">✓ Granted</span>
          ) : (
            <span className="text-slate-600">Missing: {capability.missing.join(", ")}</span>
          )}
        </div>
      </div>
      {capability.upgradeLink && (
        <div className="mt-2">
          <p className="text-xs text-slate-500">
            Send this page to the customer&apos;s Global Administrator. Single use; expires {formatDateTime(capability.upgradeLink.expiresAt)}.
          </p>
          <div className="mt-1 flex gap-2">
            <input
              readOnly
              value={capability.upgradeLink.onboardingUrl}
              aria-label={`Additional-permissions link for ${capability.label}`}
              data-testid={`upgrade-url-${capability.key}`}
              className="w-full rounded-md border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-xs"
            />
            <CopyButton value={capability.upgradeLink.onboardingUrl} />
          </div>
        </div>
      )}
      {capability.canRequest && (
        <div className="mt-2">
          <ActionButton
            action={createUpgradeLinkAction.bind(null, customerId, capability.key)}
            label={capability.upgradeLink ? "Regenerate additional-permissions link" : "Create additional-permissions link"}
            pendingLabel="Creating…"
            variant="secondary"
            testId={`request-${capability.key}`}
          />
        </div>
      )}
    </li>
  );
}

/** What the portal may do in this tenant, and a link that asks the customer's admin for what is missing. */
export function CapabilitiesPanel({ customerId, capabilities }: { customerId: string; capabilities: CapabilityView[] }) {
  return (
    <ul id="capabilities" className="scroll-mt-24 divide-y divide-slate-100" data-testid="capabilities">
      {capabilities.map((c) => (
        <CapabilityRow key={c.key} customerId={customerId} capability={c} />
      ))}
    </ul>
  );
}
