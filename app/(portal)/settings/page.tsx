import { forbidden } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { getAppRegistration } from "@/lib/data/settings";
import { CredentialCheck } from "@/components/settings/credential-check";
import { CopyButton } from "@/components/copy-button";
import { Card, PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "App registration" };

export default async function SettingsPage() {
  const viewer = await requireViewer();
  // A page for partner admins: an analyst gets 403 and a page that says so (app/forbidden.tsx).
  if (!can(viewer, "settings:read")) forbidden();
  const reg = getAppRegistration(viewer);
  return (
    <>
      <PageHeader
        title="App registration"
        description="What to configure on the partner's multi-tenant Entra ID app. Secrets are read from the server's environment and never shown."
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Application">
          <dl className="space-y-3 text-sm">
            <div>
              <dt className="text-slate-500">Application (client) ID</dt>
              <dd className="font-mono" data-testid="client-id">
                {reg.clientId}
              </dd>
            </div>
            <div>
              <dt className="text-slate-500">Partner tenant ID</dt>
              <dd className="font-mono">{reg.partnerTenantId}</dd>
            </div>
            <div>
              <dt className="text-slate-500">Authority</dt>
              <dd className="font-mono">{reg.authorityHost}</dd>
            </div>
            <div>
              <dt className="text-slate-500">Supported account types</dt>
              <dd>Accounts in any organizational directory (multi-tenant)</dd>
            </div>
            <div>
              <dt className="text-slate-500">Credential</dt>
              <dd data-testid="credential-kind">
                {reg.credential.kind} — from {reg.credential.source}
              </dd>
            </div>
            <div>
              <dt className="text-slate-500">Consent links expire after</dt>
              <dd>{reg.consentLinkTtlHours} hours (CONSENT_LINK_TTL_HOURS)</dd>
            </div>
          </dl>
        </Card>
        <Card title="Redirect URIs (type: Web)">
          <ul className="space-y-2 text-sm">
            {reg.redirectUris.map((u) => (
              <li key={u} className="flex items-center gap-2">
                <code className="grow rounded bg-slate-50 px-2 py-1 text-xs ring-1 ring-slate-200">{u}</code>
                <CopyButton value={u} />
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Required application permissions" className="lg:col-span-2">
          <PermissionTable testId="required-permissions" rows={reg.permissions.map((p) => ({ ...p, group: p.resource }))} groupHeading="Resource" />
          <p className="mt-3 text-xs text-slate-500">
            Change with REQUIRED_PERMISSIONS (see .env.example). Customers consented before a change show the missing permissions.
          </p>
        </Card>
        <Card title="Additional permissions (asked per customer, per capability)" className="lg:col-span-2">
          <PermissionTable
            testId="capability-permissions"
            rows={reg.capabilities.flatMap((c) => c.permissions.map((p) => ({ ...p, group: c.label })))}
            groupHeading="Capability"
          />
          <p className="mt-3 text-xs text-slate-500">
            Declare these on the app registration too; each customer grants them with an additional-permissions link from its page.
          </p>
        </Card>
        <Card title="Permission in the partner's own tenant" className="lg:col-span-2">
          <PermissionTable
            testId="partner-permissions"
            rows={reg.partnerTenantPermissions.map((p) => ({ ...p, group: "Partner tenant" }))}
            groupHeading="Granted in"
          />
          <p className="mt-3 text-xs text-slate-500">Grant admin consent for it in the partner tenant. The live check below says whether it is granted now.</p>
        </Card>
        <Card title="Live credential check" className="lg:col-span-2">
          <CredentialCheck />
        </Card>
      </div>
    </>
  );
}

/** One table for every list of application permissions the app registration declares. */
function PermissionTable({
  rows,
  groupHeading,
  testId,
}: {
  rows: { api: string; permission: string; description: string; group: string }[];
  groupHeading: string;
  testId: string;
}) {
  return (
    <table className="w-full text-sm" data-testid={testId}>
      <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <th className="py-1">API</th>
          <th className="py-1">{groupHeading}</th>
          <th className="py-1">Permission</th>
          <th className="py-1">Allows</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((p) => (
          <tr key={`${p.group}/${p.api}/${p.permission}`}>
            <td className="py-2">{p.api}</td>
            <td className="py-2 text-xs">{p.group}</td>
            <td className="py-2 font-mono text-xs">{p.permission}</td>
            <td className="py-2 text-slate-600">{p.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
