import Link from "next/link";
import { forbidden } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import {
  deleteChannelAction,
  deleteRuleAction,
  endSuppressionAction,
  setChannelEnabledAction,
  setRuleEnabledAction,
  testChannelAction,
} from "@/lib/actions/notifications";
import { deliveryLog, listChannels, listRules, listSuppressions, notificationFormOptions } from "@/lib/data/notifications";
import { EVENT_LABELS } from "@/lib/notify/model";
import { ChannelForm } from "@/components/notifications/channel-form";
import { DeliveryLog } from "@/components/notifications/delivery-log";
import { RuleForm } from "@/components/notifications/rule-form";
import { SuppressionForm } from "@/components/notifications/suppression-form";
import { InertText } from "@/components/inert-text";
import { ActionButton } from "@/components/ui/action-button";
import { Card, PageHeader, formatDateTime } from "@/components/ui/primitives";

export const metadata = { title: "Notifications" };

const KIND_LABEL: Record<string, string> = { email: "E-mail", teams: "Teams", webhook: "Webhook" };

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  // Partner admins only: an analyst gets 403 and a page that says so (app/forbidden.tsx).
  if (!can(viewer, "notifications:manage")) forbidden();
  const sp = await searchParams;
  const ruleFilter = typeof sp.rule === "string" ? sp.rule : null;
  const editId = typeof sp.edit === "string" ? sp.edit : null;
  const [channels, rules, suppressions, options] = await Promise.all([
    listChannels(viewer),
    listRules(viewer),
    listSuppressions(viewer),
    notificationFormOptions(viewer),
  ]);
  const selectedRule = rules.find((r) => r.id === ruleFilter) ?? null;
  // Only a rule of the viewer's own partner is in `rules`: any other id just shows the Add form.
  const editing = rules.find((r) => r.id === editId) ?? null;
  const log = await deliveryLog(viewer, selectedRule?.id ?? null);
  const channelNames = Object.fromEntries(channels.map((c) => [c.id, c.name]));
  const customerNames = Object.fromEntries(options.customers.map((c) => [c.id, c.displayName]));
  const groupNames = Object.fromEntries(options.groups.map((g) => [g.id, g.name]));
  const now = new Date();
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Send new and changed incidents and customer health to e-mail, Teams and webhooks, per customer, group and severity. Each (rule, incident, event) is delivered once."
        actions={
          options.demoInboxUrl ? (
            <a
              href={options.demoInboxUrl}
              target="_blank"
              rel="noreferrer"
              className="text-sm font-medium text-blue-800 hover:underline"
              data-testid="demo-inbox-link"
            >
              Local inbox (demo receivers) ↗
            </a>
          ) : undefined
        }
      />
      {(!options.smtpConfigured || !options.encryptionConfigured) && (
        <p className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200">
          {!options.smtpConfigured && "No SMTP server is configured (SMTP_HOST): e-mail channels cannot send. "}
          {!options.encryptionConfigured && "No NOTIFY_ENCRYPTION_KEY (or _FILE) is set: Teams and webhook channels cannot be saved."}
        </p>
      )}
      <div className="space-y-6">
        <Card title="Channels">
          <table className="mb-4 min-w-full divide-y divide-slate-200 text-sm" data-testid="channel-table">
            <tbody className="divide-y divide-slate-100">
              {channels.map((c) => (
                <tr key={c.id} data-testid="channel-row">
                  <td className="px-2 py-2 font-medium">
                    {c.name}
                    {!c.enabled && <span className="ml-2 text-xs text-slate-500">(paused)</span>}
                  </td>
                  <td className="px-2 py-2">{KIND_LABEL[c.kind] ?? c.kind}</td>
                  <td className="px-2 py-2 font-mono text-xs" data-testid="channel-target">
                    {c.kind === "email" ? c.recipients.join(", ") : c.targetHint}
                  </td>
                  <td className="px-2 py-2">
                    <ActionButton
                      action={testChannelAction.bind(null, c.id)}
                      label="Send test"
                      pendingLabel="Sending…"
                      variant="secondary"
                      testId="send-test"
                    />
                  </td>
                  <td className="px-2 py-2">
                    <ActionButton
                      action={setChannelEnabledAction.bind(null, c.id, !c.enabled)}
                      label={c.enabled ? "Pause" : "Resume"}
                      pendingLabel="Saving…"
                      variant="secondary"
                      testId="toggle-channel"
                    />
                  </td>
                  <td className="px-2 py-2">
                    <ActionButton
                      action={deleteChannelAction.bind(null, c.id)}
                      label="Delete"
                      pendingLabel="Deleting…"
                      variant="danger"
                      testId="delete-channel"
                    />
                  </td>
                </tr>
              ))}
              {channels.length === 0 && (
                <tr>
                  <td className="px-2 py-4 text-slate-500">No channels yet.</td>
                </tr>
              )}
            </tbody>
          </table>
          <ChannelForm />
        </Card>

        <Card title="Rules">
          <table className="mb-4 min-w-full divide-y divide-slate-200 text-sm" data-testid="rule-table">
            <tbody className="divide-y divide-slate-100">
              {rules.map((r) => (
                <tr key={r.id} data-testid="rule-row">
                  <td className="px-2 py-2 font-medium">
                    {r.name}
                    {!r.enabled && <span className="ml-2 text-xs text-slate-500">(paused)</span>}
                  </td>
                  <td className="px-2 py-2 text-xs">
                    {r.kinds.map((k) => EVENT_LABELS[k] ?? k).join(", ")}
                    {r.unassignedMinutes ? ` (${r.unassignedMinutes} min unassigned)` : ""}
                    {r.syncFailingMinutes ? ` (${r.syncFailingMinutes} min failing)` : ""}
                    <div className="text-slate-500">from {r.minSeverity}</div>
                  </td>
                  <td className="px-2 py-2 text-xs">
                    {r.scope === "all" ? "All customers" : null}
                    {r.scope === "customers" ? <InertText value={r.customerIds.map((id) => customerNames[id] ?? "?").join(", ")} max={200} /> : null}
                    {r.scope === "groups" ? `Groups: ${r.groupIds.map((id) => groupNames[id] ?? "?").join(", ")}` : null}
                  </td>
                  <td className="px-2 py-2 text-xs">{r.channelIds.map((id) => channelNames[id] ?? "(deleted)").join(", ")}</td>
                  <td className="px-2 py-2 text-xs text-slate-600">
                    {r.quietStart && r.quietEnd ? `Quiet ${r.quietStart}–${r.quietEnd} ${r.timeZone}` : null}
                    {r.digestMinutes ? <div>Digest every {r.digestMinutes} min</div> : null}
                  </td>
                  <td className="px-2 py-2">
                    <Link href={`/settings/notifications?rule=${r.id}`} className="text-blue-800 hover:underline" data-testid="rule-log-link">
                      Delivery log
                    </Link>
                  </td>
                  <td className="px-2 py-2">
                    <Link href={`/settings/notifications?edit=${r.id}#rule-form`} className="text-blue-800 hover:underline" data-testid="edit-rule">
                      Edit
                    </Link>
                  </td>
                  <td className="px-2 py-2">
                    <ActionButton
                      action={setRuleEnabledAction.bind(null, r.id, !r.enabled)}
                      label={r.enabled ? "Pause" : "Enable"}
                      pendingLabel="Saving…"
                      variant="secondary"
                      testId="toggle-rule"
                    />
                  </td>
                  <td className="px-2 py-2">
                    <ActionButton action={deleteRuleAction.bind(null, r.id)} label="Delete" pendingLabel="Deleting…" variant="danger" testId="delete-rule" />
                  </td>
                </tr>
              ))}
              {rules.length === 0 && (
                <tr>
                  <td className="px-2 py-4 text-slate-500">No rules yet.</td>
                </tr>
              )}
            </tbody>
          </table>
          {editing && (
            <h3 id="rule-form" className="mb-2 text-sm font-semibold text-slate-900">
              Edit rule
            </h3>
          )}
          <RuleForm
            key={editing?.id ?? "new"}
            rule={editing ?? undefined}
            channels={channels.map((c) => ({ id: c.id, name: c.name }))}
            customers={options.customers.map((c) => ({ id: c.id, name: c.displayName }))}
            groups={options.groups}
          />
        </Card>

        <Card title="Suppressions">
          <p className="mb-3 text-sm text-slate-600">
            A suppressed incident is not notified; the queue still shows it, marked “suppressed by …”. Title match is plain, case-insensitive text.
          </p>
          <table className="mb-4 min-w-full divide-y divide-slate-200 text-sm" data-testid="suppression-table">
            <tbody className="divide-y divide-slate-100">
              {suppressions.map((s) => {
                const active = !s.endedAt && s.until > now;
                return (
                  <tr key={s.id} data-testid="suppression-row">
                    <td className="px-2 py-2 text-xs">
                      {s.customerIds.length || s.groupIds.length ? (
                        <InertText
                          value={[...s.customerIds.map((id) => customerNames[id] ?? "?"), ...s.groupIds.map((id) => `group ${groupNames[id] ?? "?"}`)].join(
                            ", ",
                          )}
                          max={200}
                        />
                      ) : (
                        "All customers"
                      )}
                    </td>
                    <td className="px-2 py-2 text-xs">
                      {s.titleContains ? <InertText value={`title contains “${s.titleContains}”`} max={250} /> : "any title"}
                    </td>
                    <td className="px-2 py-2 text-xs">
                      <InertText value={s.reason} max={300} />
                      <div className="text-slate-500">
                        by {s.createdByName}, {formatDateTime(s.createdAt)}
                      </div>
                    </td>
                    <td className="px-2 py-2 text-xs">{active ? `until ${formatDateTime(s.until)}` : `ended ${formatDateTime(s.endedAt ?? s.until)}`}</td>
                    <td className="px-2 py-2">
                      {active && (
                        <ActionButton
                          action={endSuppressionAction.bind(null, s.id)}
                          label="End"
                          pendingLabel="Ending…"
                          variant="secondary"
                          testId="end-suppression"
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
              {suppressions.length === 0 && (
                <tr>
                  <td className="px-2 py-4 text-slate-500">No suppressions.</td>
                </tr>
              )}
            </tbody>
          </table>
          <SuppressionForm customers={options.customers.map((c) => ({ id: c.id, name: c.displayName }))} groups={options.groups} />
        </Card>

        <Card
          title={selectedRule ? `Delivery log: ${selectedRule.name}` : "Delivery log (all rules)"}
          actions={
            selectedRule ? (
              <Link href="/settings/notifications" className="text-sm text-blue-800 hover:underline">
                All rules
              </Link>
            ) : undefined
          }
        >
          <p className="mb-2 text-xs text-slate-600" data-testid="delivery-counts">
            {Object.entries(log.counts)
              .map(([k, n]) => `${n} ${k}`)
              .join(" · ") || "Nothing yet"}
            . A delivery is retried with backoff (and the receiver&apos;s Retry-After) up to {options.maxAttempts} attempts, then marked failed.
          </p>
          <DeliveryLog rows={log.rows} channelNames={channelNames} />
        </Card>
      </div>
    </>
  );
}
