"use client";
import { useActionState } from "react";
import type { Result } from "@/lib/result";
import { ActionResult } from "./action-result";
import { Button } from "./primitives";

/** One button that runs a (bound) server action and shows its Result beside it. */
export function ActionButton({
  action,
  label,
  pendingLabel,
  variant = "primary",
  testId,
}: {
  action: (prev: Result | null, form: FormData) => Promise<Result>;
  label: string;
  pendingLabel: string;
  variant?: "primary" | "secondary" | "danger";
  testId: string;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-3" data-testid={testId}>
      <Button type="submit" variant={variant} disabled={pending}>
        {pending ? pendingLabel : label}
      </Button>
      <ActionResult state={state} testId={testId} />
    </form>
  );
}
