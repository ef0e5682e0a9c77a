import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { getSlaSettings } from "@/lib/data/sla";
import { DEFAULT_POLICY } from "@/lib/sla/policy";
import { InertText } from "@/components/inert-text";
import { PolicyForm } from "@/components/sla/policy-form";
import { Card, PageHeader, formatDateTime } from "@/components/ui/primitives";

export const metadata = { title: "SLA policies" };

export default async function SlaSettingsPage() {
  const viewer = await requireViewer();
  if (!can(viewer, "sla:manage")) notFound();
  const { defaultPolicy, groups } = await getSlaSettings(viewer);
  return (
    <>
      <PageHeader
        title="SLA policies"
        description="Time to acknowledge and to resolve per severity, measured from the incident's creation. A customer gets its groups' policies, or the default when none of its groups has one; in several groups, each deadline is the earliest any of its policies gives (the strictest wins). Changes apply to open incidents within a minute."
      />
      <div className="space-y-6">
        <Card title={`Default policy${defaultPolicy.builtIn ? " (built in)" : ""}`}>
          {defaultPolicy.updatedAt && <p className="mb-2 text-xs text-slate-500">Saved {formatDateTime(defaultPolicy.updatedAt)}</p>}
          <PolicyForm
            policyKey="default"
            title="Default policy"
            policy={defaultPolicy.policy ?? DEFAULT_POLICY}
            removable={!defaultPolicy.builtIn}
            testId="sla-policy-default"
          />
        </Card>
        {groups.length === 0 && <p className="text-sm text-slate-600">No customer groups yet: every customer uses the default policy.</p>}
        {groups.map((g) => (
          <Card
            key={g.groupId}
            title={
              <>
                <InertText value={g.groupName} max={100} /> <span className="text-xs font-normal text-slate-500">({g.members} customers)</span>
              </>
            }
          >
            {g.policy ? (
              <PolicyForm policyKey={g.groupId!} title={`Policy of ${g.groupName}`} policy={g.policy} removable testId={`sla-policy-${g.groupId}`} />
            ) : (
              <>
                <p className="mb-2 text-xs text-slate-500">No policy: these customers use the default (or another group&apos;s). Save one to override it.</p>
                <PolicyForm
                  policyKey={g.groupId!}
                  title={`Policy of ${g.groupName}`}
                  policy={defaultPolicy.policy ?? DEFAULT_POLICY}
                  removable={false}
                  testId={`sla-policy-${g.groupId}`}
                />
              </>
            )}
          </Card>
        ))}
      </div>
    </>
  );
}
