"use client";
import { useState, useTransition } from "react";
import { disableUserAction, enableUserAction, endSessionAction, setResponderAction, signOutEverywhereAction } from "@/lib/actions/users";
import type { Result } from "@/lib/result";
import { Button } from "../ui/primitives";

const ACTIONS = {
  disable: disableUserAction,
  enable: enableUserAction,
  signOutEverywhere: signOutEverywhereAction,
  endSession: endSessionAction,
  setResponder: setResponderAction,
} satisfies Record<string, (input: unknown) => Promise<Result<never> | Result<{ sessionsEnded: number }> | Result>>;

/** One Users & access control; the action's result (done, or why not) shows next to it. */
export function StaffAction({
  kind,
  input,
  label,
  variant = "secondary",
  testId,
}: {
  kind: keyof typeof ACTIONS;
  input: Record<string, string | boolean>;
  label: string;
  variant?: "primary" | "secondary" | "danger";
  testId: string;
}) {
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Button
        type="button"
        variant={variant}
        disabled={pending}
        data-testid={testId}
        className="px-2 py-1 text-xs"
        onClick={() =>
          startTransition(async () => {
            try {
              const r = await ACTIONS[kind](input);
              setResult(r.ok ? { ok: true, text: r.message ?? "Done." } : { ok: false, text: r.formError ?? Object.values(r.fieldErrors)[0] ?? "Not done." });
            } catch {
              setResult({ ok: false, text: "Something went wrong; nothing may have changed. Reload the page and try again." });
            }
          })
        }
      >
        {pending ? "Working…" : label}
      </Button>
      {result && (
        <span
          role={result.ok ? "status" : "alert"}
          data-testid="staff-action-result"
          className={`max-w-xs text-xs ${result.ok ? "text-emerald-700" : "text-red-700"}`}
        >
          {result.text}
        </span>
      )}
    </span>
  );
}
