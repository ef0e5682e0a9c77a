"use client";
import { useActionState } from "react";
import { checkCredentialAction } from "@/lib/actions/settings";
import { ActionResult } from "../ui/action-result";
import { Button } from "../ui/primitives";

export function CredentialCheck() {
  const [state, action, pending] = useActionState(checkCredentialAction, null);
  return (
    <form action={action} className="space-y-3">
      <p className="text-sm text-slate-600">
        Requests a fresh app token from the partner&apos;s own tenant for each API. Nothing is stored; no token leaves the server.
      </p>
      <Button type="submit" disabled={pending}>
        {pending ? "Checking…" : "Check now"}
      </Button>
      <ActionResult state={state} testId="credential-check" />
      {state?.ok && (
        <ul className="space-y-1 text-sm" data-testid="credential-results">
          {state.value.results.map((r) => (
            <li key={r.resource} data-ok={r.ok}>
              <span className={r.ok ? "text-emerald-700" : "text-red-700"}>{r.ok ? "✓" : "✗"}</span> <span className="font-mono text-xs">{r.resource}</span> —{" "}
              {r.detail}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
