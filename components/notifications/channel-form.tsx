"use client";
import { useActionState, useState } from "react";
import { createChannelAction, type CreateChannelResult } from "@/lib/actions/notifications";
import { CopyButton } from "../copy-button";
import { ActionResult } from "../ui/action-result";
import { Button, FieldError } from "../ui/primitives";

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm aria-[invalid=true]:border-red-500";

/** Adds a channel. A webhook's signing secret comes back once, in this form's result, and is shown only here. */
export function ChannelForm() {
  const [state, action, pending] = useActionState<CreateChannelResult | null, FormData>(createChannelAction, null);
  const [kind, setKind] = useState("email");
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    // The kind chooser sits outside the <form>: React resets a form after its action, and the fields shown must stay
    // those of the kind that is submitted (a hidden input carries it).
    <div className="space-y-3" data-testid="channel-form">
      <div className="grid gap-3 sm:grid-cols-3">
        <div>
          <label htmlFor="channel-kind" className="text-sm font-medium text-slate-800">
            Kind
          </label>
          <select id="channel-kind" value={kind} onChange={(e) => setKind(e.target.value)} className={input}>
            <option value="email">E-mail (SMTP)</option>
            <option value="teams">Microsoft Teams (Workflows webhook)</option>
            <option value="webhook">Webhook (signed JSON)</option>
          </select>
        </div>
      </div>
      <form action={action} className="space-y-3" noValidate>
        <input type="hidden" name="kind" value={kind} />
        <div>
          <label htmlFor="channel-name" className="text-sm font-medium text-slate-800">
            Name
          </label>
          <input id="channel-name" name="name" className={input} aria-invalid={Boolean(errors.name)} />
          <FieldError id="channel-name-error" message={errors.name} />
        </div>
        {kind === "email" ? (
          <div>
            <label htmlFor="channel-recipients" className="text-sm font-medium text-slate-800">
              Recipients <span className="font-normal text-slate-500">(comma or space separated)</span>
            </label>
            <input id="channel-recipients" name="recipients" className={input} aria-invalid={Boolean(errors.recipients)} />
            <FieldError id="channel-recipients-error" message={errors.recipients} />
          </div>
        ) : (
          <div>
            <label htmlFor="channel-url" className="text-sm font-medium text-slate-800">
              {kind === "teams" ? "Workflows webhook URL" : "Endpoint URL (https)"}
            </label>
            <input id="channel-url" name="url" type="url" autoComplete="off" className={input} aria-invalid={Boolean(errors.url)} />
            <p className="mt-1 text-xs text-slate-500">Stored encrypted; shown afterwards only as host and last 4 characters. Private addresses are refused.</p>
            <FieldError id="channel-url-error" message={errors.url} />
          </div>
        )}
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={pending}>
            {pending ? "Adding…" : "Add channel"}
          </Button>
          <ActionResult state={state && !state.ok ? state : null} testId="channel-form" />
          {state?.ok && !state.value.signingSecret && (
            <p role="status" className="text-sm text-emerald-700" data-testid="channel-form-done">
              {state.message}
            </p>
          )}
        </div>
        {state?.ok && state.value.signingSecret && (
          <div role="status" className="rounded-md bg-amber-50 p-3 text-sm ring-1 ring-amber-200" data-testid="channel-secret">
            <p className="font-medium text-amber-900" data-testid="channel-form-done">
              {state.message}
            </p>
            <div className="mt-2 flex items-center gap-2">
              <code className="grow break-all rounded bg-white px-2 py-1 text-xs ring-1 ring-amber-200" data-testid="channel-secret-value">
                {state.value.signingSecret}
              </code>
              <CopyButton value={state.value.signingSecret} />
            </div>
          </div>
        )}
      </form>
    </div>
  );
}
