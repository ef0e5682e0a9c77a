import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { getCustomerDetail } from "@/lib/data/customers";
import { CONNECT_OUTCOMES, getDelegatedConnection, type ConnectOutcome } from "@/lib/data/delegated";
import { ConnectButton, DisconnectButton } from "@/components/customers/user-context";
import { ConnectOutcomeNotice } from "@/components/customers/connect-outcome";
import { Card, PageHeader, formatDateTime } from "@/components/ui/primitives";

/** An analyst's own connection to a customer's tenant (user context, issue 13): status, connect, disconnect. */
export default async function ConnectPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer();
  const { id } = await params;
  const sp = await searchParams;
  const [customer, connection] = await Promise.all([getCustomerDetail(viewer, id), getDelegatedConnection(viewer, id)]);
  if (!customer || !connection) notFound();
  const outcome = CONNECT_OUTCOMES.find((o) => o === sp.outcome) as ConnectOutcome | undefined;
  // Only an AADSTS number or a short code is shown back; anything else in the URL is ignored.
  const code = typeof sp.code === "string" && /^[A-Za-z0-9_]{1,40}$/.test(sp.code) ? sp.code : undefined;
  return (
    <>
      <PageHeader
        title={
          <>
            Act as yourself at <span className="inert-text">{customer.displayName}</span>
          </>
        }
        description={
          connection.writeMode === "analyst"
            ? "This customer's changes at Microsoft (triage, bulk triage, device response actions) are made with your own account in its tenant."
            : "This customer's changes are made by the portal's app today; a partner admin can switch it to each analyst's own account."
        }
      />
      <div className="max-w-3xl space-y-6">
        {outcome && <ConnectOutcomeNotice outcome={outcome} code={code} customerName={customer.displayName} />}
        <Card title="Your connection">
          {connection.connected ? (
            <div className="space-y-3 text-sm" data-testid="connection-status" data-connected="true">
              <p>
                Connected as <strong className="inert-text">{connection.username}</strong> since {formatDateTime(connection.connectedAt!)}. The portal keeps
                your tokens for this tenant encrypted on the server; they are never sent to your browser.
              </p>
              <div className="flex gap-3">
                {connection.canConnect && <ConnectButton customerId={customer.id} label="Reconnect" />}
                <DisconnectButton customerId={customer.id} />
              </div>
            </div>
          ) : (
            <div className="space-y-3 text-sm" data-testid="connection-status" data-connected="false">
              <p>
                Not connected. You sign in at <span className="inert-text">{customer.displayName}</span>&apos;s Microsoft tenant with the account it invited
                (usually your own work account, as a guest there).
              </p>
              {connection.canConnect ? (
                <ConnectButton customerId={customer.id} label="Connect your account" />
              ) : (
                <p className="text-slate-600">This customer has no consented tenant yet, or your role cannot make changes.</p>
              )}
            </div>
          )}
        </Card>
      </div>
    </>
  );
}
