import type { AlertDetail } from "@/lib/sync/model";
import { InertText } from "../inert-text";
import { label } from "./badges";

// The fields an analyst looks for first, per evidence type; the rest follow.
const FIRST: Record<string, string[]> = {
  file: ["fileName", "filePath", "sha1", "sha256", "fileDetails.fileName", "fileDetails.filePath", "fileDetails.sha256"],
  process: [
    "processCommandLine",
    "processId",
    "fileName",
    "filePath",
    "parentProcessId",
    "imageFile.fileName",
    "imageFile.filePath",
    "parentProcessImageFile.fileName",
  ],
  ip: ["ipAddress", "countryLetterCode"],
  url: ["url"],
  user: ["accountName", "domainName", "userPrincipalName", "userAccount.accountName", "userAccount.userPrincipalName", "userSid", "aadUserId"],
  mailbox: ["mailboxAddress", "primaryAddress", "displayName", "userAccount.userPrincipalName"],
  mailMessage: ["subject", "sender", "senderIp", "recipientEmailAddress", "networkMessageId"],
  registry: ["registryKey", "registryHive", "registryValueName", "registryValue"],
};

export function EvidenceList({ evidence }: { evidence: AlertDetail["evidence"] }) {
  if (!evidence.length) return <p className="text-xs text-slate-500">No evidence reported.</p>;
  return (
    <ul className="space-y-2" data-testid="evidence-list">
      {evidence.map((e, i) => {
        const first = (FIRST[e.type] ?? []).filter((k) => e.fields[k] !== undefined);
        const rest = Object.keys(e.fields)
          .filter((k) => !first.includes(k))
          .slice(0, 20);
        return (
          <li key={i} className="rounded-md bg-slate-50 p-2 text-xs ring-1 ring-slate-200" data-testid="evidence" data-type={e.type}>
            <div className="mb-1 flex items-center gap-2">
              <span className="rounded bg-slate-200 px-1.5 py-0.5 font-semibold uppercase tracking-wide text-slate-700">{label(e.type)}</span>
              {e.verdict && <span className="text-slate-600">Verdict: {label(e.verdict)}</span>}
              {e.remediationStatus && <span className="text-slate-600">Remediation: {label(e.remediationStatus)}</span>}
            </div>
            <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5">
              {[...first, ...rest].map((k) => (
                <div key={k} className="contents">
                  <dt className="text-slate-500">{k}</dt>
                  <dd className="font-mono">
                    <InertText value={e.fields[k]} max={4000} />
                  </dd>
                </div>
              ))}
            </dl>
          </li>
        );
      })}
    </ul>
  );
}

export function DeviceList({ devices }: { devices: AlertDetail["devices"] }) {
  if (!devices.length) return null;
  return (
    <ul className="flex flex-wrap gap-2 text-xs" data-testid="device-list">
      {devices.map((d, i) => (
        <li key={i} className="rounded-md bg-white px-2 py-1 ring-1 ring-slate-200">
          <span className="font-medium">
            <InertText value={d.name ?? d.id} max={200} />
          </span>
          {d.osPlatform && <span className="text-slate-500"> · {d.osPlatform}</span>}
          {d.healthStatus && <span className="text-slate-500"> · {label(d.healthStatus)}</span>}
          {d.riskScore && <span className="text-slate-500"> · risk {d.riskScore}</span>}
        </li>
      ))}
    </ul>
  );
}
