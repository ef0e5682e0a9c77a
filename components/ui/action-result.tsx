import type { Result } from "@/lib/result";

// Any Result<T>: only the parts every result has are shown here (the value is the caller's to render).
type Shown = { ok: true; message?: string } | Extract<Result, { ok: false }>;

/** An action's outcome, shown next to the control that caused it: the failure's message, or the success's note. */
export function ActionResult({ state, testId }: { state: Shown | null; testId: string }) {
  if (!state) return null;
  if (!state.ok) {
    const message = state.formError ?? Object.values(state.fieldErrors).find(Boolean) ?? "That did not work.";
    return (
      <p role="alert" className="text-sm text-red-700" data-testid={`${testId}-error`} data-code={state.code}>
        {message}
      </p>
    );
  }
  if (!state.message) return null;
  return (
    <p role="status" className="text-sm text-emerald-700" data-testid={`${testId}-done`}>
      {state.message}
    </p>
  );
}
