"use client";
import Link from "next/link";
import { startTransition, useActionState } from "react";
import { connectDelegatedAction, disconnectDelegatedAction, setWriteModeAction } from "@/lib/actions/delegated";
import { ActionResult } from "../ui/action-result";

/** Connect (or reconnect) the viewer's own account to the customer's tenant: Microsoft's sign-in page follows. */
export function ConnectButton({ customerId, label }: { customerId: string; label: string }) {
  const [state, action, pending] = useActionState(connectDelegatedAction.bind(null, customerId), null);
  return (
    <form action={action} className="space-y-2">
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-blue-700 px-3 py-1.5 text-xs font-semibold text-white disabled:opacity-50"
        data-testid="connect-button"
      >
        {pending ? "Opening Microsoft sign-in…" : label}
      </button>
      <ActionResult state={state} testId="connect" />
    </form>
  );
}

export function DisconnectButton({ customerId }: { customerId: string }) {
  const [state, action, pending] = useActionState(disconnectDelegatedAction.bind(null, customerId), null);
  return (
    <form action={action} className="space-y-2">
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-white px-3 py-1.5 text-xs font-semibold text-slate-800 ring-1 ring-slate-300 disabled:opacity-50"
        data-testid="disconnect-button"
      >
        {pending ? "Disconnecting…" : "Disconnect"}
      </button>
      <ActionResult state={state} testId="disconnect" />
    </form>
  );
}

/** The customer's write mode (partner admins): application, or as the analyst. */
export function WriteModeForm({ customerId, writeMode }: { customerId: string; writeMode: "application" | "analyst" }) {
  const [state, action, pending] = useActionState(setWriteModeAction.bind(null, customerId), null);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => action(form));
      }}
      className="space-y-2 text-sm"
      data-testid="write-mode-form"
    >
      <label className="flex items-start gap-2">
        <input type="radio" name="writeMode" value="application" defaultChecked={writeMode === "application"} />
        <span>
          <strong>The portal&apos;s app</strong> (application context): Microsoft records the app as the author of every change.
        </span>
      </label>
      <label className="flex items-start gap-2">
        <input type="radio" name="writeMode" value="analyst" defaultChecked={writeMode === "analyst"} />
        <span>
          <strong>Each analyst</strong> (user context): changes use the analyst&apos;s own account in the customer&apos;s tenant, limited by its Defender role;
          Microsoft records the analyst.
        </span>
      </label>
      <button type="submit" disabled={pending} className="rounded-md bg-slate-800 px-3 py-1.5 text-xs font-semibold text-white disabled:opacity-50">
        {pending ? "Saving…" : "Save write mode"}
      </button>
      <ActionResult state={state} testId="write-mode" />
    </form>
  );
}

export function ConnectLink({ customerId, connected }: { customerId: string; connected: boolean }) {
  return (
    <Link href={`/customers/${customerId}/connect`} className="text-sm font-medium text-blue-800 underline" data-testid="connect-page-link">
      {connected ? "Your connection" : "Connect your account"}
    </Link>
  );
}
