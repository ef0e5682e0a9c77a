"use client";
import { startTransition, useActionState } from "react";
import { setReportRecipientsAction } from "@/lib/actions/sla";
import { ActionResult } from "../ui/action-result";

/** Who receives this customer's monthly report (one address per line, or separated by commas). */
export function RecipientsForm({ customerId, recipients }: { customerId: string; recipients: string[] }) {
  const [state, action, pending] = useActionState(setReportRecipientsAction.bind(null, customerId), null);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => action(form));
      }}
      className="space-y-2 text-sm"
      data-testid="recipients-form"
    >
      <label className="block text-xs font-medium text-slate-700">
        Monthly report recipients
        <textarea
          name="recipients"
          defaultValue={recipients.join("\n")}
          rows={3}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm"
          aria-describedby="recipients-help"
        />
      </label>
      <p id="recipients-help" className="text-xs text-slate-500">
        One e-mail address per line (at most 20). The report for the previous month goes to them at the start of each month.
      </p>
      <button type="submit" disabled={pending} className="rounded-md bg-slate-800 px-3 py-1.5 text-xs font-semibold text-white disabled:opacity-50">
        {pending ? "Saving…" : "Save recipients"}
      </button>
      <ActionResult state={state} testId="recipients" />
    </form>
  );
}
