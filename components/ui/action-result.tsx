/** Shows an action's result next to the control that caused it: the message on success, the error otherwise. */
export function ActionResult({ result, testId = "action-result" }: { result: { ok: boolean; message?: string; formError?: string; fieldErrors?: Partial<Record<string, string>> } | null; testId?: string }) {
  if (!result) return null;
  if (result.ok) return result.message ? <p role="status" data-testid={testId} data-ok="true" className="mt-2 text-sm text-emerald-800">{result.message}</p> : null;
  const text = result.formError ?? Object.values(result.fieldErrors ?? {})[0] ?? "That did not work.";
  return <p role="alert" data-testid={testId} data-ok="false" className="mt-2 text-sm text-red-700">{text}</p>;
}
