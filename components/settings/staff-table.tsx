import Link from "next/link";
import { RESPONDER_APP_ROLE } from "@/lib/auth/viewer";
import type { StaffRow } from "@/lib/data/staff";
import { InertText } from "../inert-text";
import { Card, formatDateTime } from "../ui/primitives";
import { StaffAction } from "./staff-action";

const ROLE_LABEL = { ADMIN: "Partner admin", ANALYST: "Analyst" } as const;
const ROLE_SOURCE_LABEL: Record<string, string> = {
  "entra-app-role": "Entra app role",
  bootstrap: "Bootstrap admin (BOOTSTRAP_ADMIN_EMAIL)",
  portal: "Set in the portal",
};

export function StaffTable({ staff, viewerId }: { staff: StaffRow[]; viewerId: string }) {
  return (
    <Card>
      <table className="w-full text-sm" data-testid="staff-table">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="py-2">Name</th>
            <th className="py-2">Role</th>
            <th className="py-2">Responder</th>
            <th className="py-2">Last sign-in</th>
            <th className="py-2">Active sessions</th>
            <th className="py-2">Access</th>
            <th className="py-2">Actions</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top">
          {staff.map((u) => (
            <tr key={u.id} data-testid="staff-row" data-email={u.email}>
              <td className="py-2 pr-3">
                <div className="font-medium text-slate-900">
                  {u.displayName}
                  {u.id === viewerId && <span className="ml-1 text-xs text-slate-500">(you)</span>}
                </div>
                <div className="text-xs text-slate-500">{u.email}</div>
              </td>
              <td className="py-2 pr-3">
                <div data-testid="staff-role">{u.role ? ROLE_LABEL[u.role] : "No role"}</div>
                <div className="text-xs text-slate-500">{u.roleSource ? (ROLE_SOURCE_LABEL[u.roleSource] ?? u.roleSource) : "—"}</div>
                {u.groups.length > 0 && (
                  <div className="mt-1 text-xs text-slate-600" data-testid="staff-groups">
                    Groups:{" "}
                    {u.groups.map((g, i) => (
                      <span key={g.id}>
                        {i > 0 && ", "}
                        <Link href={`/settings/groups/${g.id}`} className="underline">
                          <InertText value={g.name} max={80} />
                        </Link>
                      </span>
                    ))}
                  </div>
                )}
              </td>
              <td className="py-2 pr-3 text-xs" data-testid="staff-responder">
                <ResponderCell user={u} />
              </td>
              <td className="py-2 pr-3 text-xs">{formatDateTime(u.lastSignInAt)}</td>
              <td className="py-2 pr-3">
                <span data-testid="staff-sessions">{u.sessions.length}</span>
                {u.sessions.length > 0 && (
                  <details className="mt-1 text-xs">
                    <summary className="cursor-pointer text-slate-600">Sessions</summary>
                    <ul className="mt-1 space-y-2">
                      {u.sessions.map((s) => (
                        <li key={s.id} data-testid="staff-session">
                          <div>{s.userAgent ?? "Unknown browser"}</div>
                          <div className="text-slate-500">
                            since {formatDateTime(s.createdAt)}, last active {formatDateTime(s.lastSeenAt)}
                          </div>
                          <StaffAction kind="endSession" input={{ sessionId: s.id }} label="End session" variant="danger" testId="end-session" />
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </td>
              <td className="py-2 pr-3" data-testid="staff-status">
                {u.disabledAt ? <span className="text-red-700">Disabled {formatDateTime(u.disabledAt)}</span> : "Enabled"}
              </td>
              <td className="py-2">
                <div className="flex flex-wrap items-start gap-2">
                  {u.disabledAt ? (
                    <StaffAction kind="enable" input={{ userId: u.id }} label="Enable" testId="enable-user" />
                  ) : (
                    <StaffAction kind="disable" input={{ userId: u.id }} label="Disable" variant="danger" testId="disable-user" />
                  )}
                  <StaffAction kind="signOutEverywhere" input={{ userId: u.id }} label="Sign out everywhere" testId="sign-out-everywhere" />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {staff.length === 0 && <p className="text-sm text-slate-600">Nobody has signed in yet.</p>}
    </Card>
  );
}

/**
 * The Responder capability (device response actions) by source: the Entra app role, the portal grant an admin
 * toggles here, or the admin role itself. Either source grants it; withdrawing one leaves the other.
 */
function ResponderCell({ user: u }: { user: StaffRow }) {
  const { fromEntra, grantedAt, grantedByEmail } = u.responder;
  const effective = u.role === "ADMIN" || fromEntra || grantedAt !== null;
  return (
    <div className="space-y-1">
      <div data-testid="staff-responder-state" data-granted={effective ? "yes" : "no"} className={effective ? "font-medium text-slate-900" : "text-slate-500"}>
        {effective ? "Yes" : "No"}
      </div>
      {u.role === "ADMIN" && <div className="text-slate-500">Partner admins have it by role</div>}
      {fromEntra && <div className="text-slate-500">Entra app role {RESPONDER_APP_ROLE}</div>}
      {grantedAt && (
        <div className="text-slate-500">
          Granted in the portal{grantedByEmail ? ` by ${grantedByEmail}` : ""}, {formatDateTime(grantedAt)}
        </div>
      )}
      {grantedAt ? (
        <StaffAction kind="setResponder" input={{ userId: u.id, granted: false }} label="Withdraw Responder" testId="responder-withdraw" />
      ) : (
        <StaffAction kind="setResponder" input={{ userId: u.id, granted: true }} label="Grant Responder" testId="responder-grant" />
      )}
    </div>
  );
}
