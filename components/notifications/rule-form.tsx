"use client";
import { useActionState, useState } from "react";
import { createRuleAction, updateRuleAction } from "@/lib/actions/notifications";
import { EVENT_KINDS, EVENT_LABELS, SEVERITIES } from "@/lib/notify/model";
import type { Result } from "@/lib/result";
import { ActionResult } from "../ui/action-result";
import { Button, ButtonLink, FieldError } from "../ui/primitives";

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm aria-[invalid=true]:border-red-500";
type Option = { id: string; name: string };

/** A saved rule's values, to pre-fill the form when editing it. */
export interface RuleValues {
  id: string;
  name: string;
  kinds: string[];
  minSeverity: string;
  scope: string;
  customerIds: string[];
  groupIds: string[];
  channelIds: string[];
  unassignedMinutes: number | null;
  syncFailingMinutes: number | null;
  quietStart: string | null;
  quietEnd: string | null;
  timeZone: string;
  digestMinutes: number | null;
}

const text = (n: number | null) => (n === null ? "" : String(n));

/**
 * Adds a rule, or with `rule` edits that one: the same fields and validation, pre-filled. The page keys it by the
 * rule's id, so switching rules starts a fresh form.
 */
export function RuleForm({ channels, customers, groups, rule }: { channels: Option[]; customers: Option[]; groups: Option[]; rule?: RuleValues }) {
  const [state, action, pending] = useActionState<Result | null, FormData>(rule ? updateRuleAction.bind(null, rule.id) : createRuleAction, null);
  const initialScope = rule?.scope ?? "all";
  const [scope, setScope] = useState(initialScope);
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    // React resets the form after its action (to the defaults: the saved rule when editing): the scope's extra
    // pickers follow the select back.
    <form action={action} onReset={() => setScope(initialScope)} className="space-y-4" data-testid="rule-form" data-mode={rule ? "edit" : "create"} noValidate>
      {rule && (
        <p className="text-sm text-slate-700" data-testid="rule-form-editing">
          Editing <span className="font-medium">{rule.name}</span>. Deliveries already queued or sent stay as they are; the changes apply to events from now on.
        </p>
      )}
      <div>
        <label htmlFor="rule-name" className="text-sm font-medium text-slate-800">
          Name
        </label>
        <input id="rule-name" name="name" defaultValue={rule?.name} className={input} aria-invalid={Boolean(errors.name)} />
        <FieldError id="rule-name-error" message={errors.name} />
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">When</legend>
        <div className="mt-1 grid gap-1 sm:grid-cols-3">
          {EVENT_KINDS.map((k) => (
            <label key={k} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="kinds" value={k} defaultChecked={rule?.kinds.includes(k)} /> {EVENT_LABELS[k]}
            </label>
          ))}
        </div>
        <FieldError id="rule-kinds-error" message={errors.kinds} />
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-3">
        <div>
          <label htmlFor="rule-unassigned" className="text-sm font-medium text-slate-800">
            Unassigned for (minutes)
          </label>
          <input id="rule-unassigned" name="unassignedMinutes" inputMode="numeric" defaultValue={text(rule?.unassignedMinutes ?? null)} className={input} />
          <FieldError id="rule-unassigned-error" message={errors.unassignedMinutes} />
        </div>
        <div>
          <label htmlFor="rule-syncfailing" className="text-sm font-medium text-slate-800">
            Sync failing for (minutes)
          </label>
          <input id="rule-syncfailing" name="syncFailingMinutes" inputMode="numeric" defaultValue={text(rule?.syncFailingMinutes ?? null)} className={input} />
          <FieldError id="rule-syncfailing-error" message={errors.syncFailingMinutes} />
        </div>
        <div>
          <label htmlFor="rule-severity" className="text-sm font-medium text-slate-800">
            From severity
          </label>
          <select id="rule-severity" name="minSeverity" defaultValue={rule?.minSeverity ?? "informational"} className={input}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s.charAt(0).toUpperCase() + s.slice(1)}
                {s === "high" ? "" : " and above"}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div>
        <label htmlFor="rule-scope" className="text-sm font-medium text-slate-800">
          For
        </label>
        <select id="rule-scope" name="scope" value={scope} onChange={(e) => setScope(e.target.value)} className={input}>
          <option value="all">All customers</option>
          <option value="customers">Chosen customers</option>
          <option value="groups">Chosen groups</option>
        </select>
        {scope === "customers" && (
          <select name="customerIds" multiple aria-label="Customers" defaultValue={rule?.customerIds} className={`${input} h-32`}>
            {customers.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
        {scope === "groups" && (
          <select name="groupIds" multiple aria-label="Groups" defaultValue={rule?.groupIds} className={`${input} h-32`}>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        )}
        <FieldError id="rule-scope-error" message={errors.customerIds ?? errors.groupIds} />
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">To</legend>
        <div className="mt-1 flex flex-wrap gap-4">
          {channels.map((c) => (
            <label key={c.id} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="channelIds" value={c.id} defaultChecked={rule?.channelIds.includes(c.id)} /> {c.name}
            </label>
          ))}
          {channels.length === 0 && <span className="text-sm text-slate-500">Add a channel first.</span>}
        </div>
        <FieldError id="rule-channels-error" message={errors.channelIds} />
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-4">
        <div>
          <label htmlFor="rule-quiet-start" className="text-sm font-medium text-slate-800">
            Quiet from (HH:MM)
          </label>
          <input id="rule-quiet-start" name="quietStart" placeholder="22:00" defaultValue={rule?.quietStart ?? ""} className={input} />
        </div>
        <div>
          <label htmlFor="rule-quiet-end" className="text-sm font-medium text-slate-800">
            Quiet until (HH:MM)
          </label>
          <input id="rule-quiet-end" name="quietEnd" placeholder="07:00" defaultValue={rule?.quietEnd ?? ""} className={input} />
          <FieldError id="rule-quiet-error" message={errors.quietEnd ?? errors.quietStart} />
        </div>
        <div>
          <label htmlFor="rule-tz" className="text-sm font-medium text-slate-800">
            Time zone
          </label>
          <input id="rule-tz" name="timeZone" defaultValue={rule?.timeZone ?? "UTC"} className={input} />
          <FieldError id="rule-tz-error" message={errors.timeZone} />
        </div>
        <div>
          <label htmlFor="rule-digest" className="text-sm font-medium text-slate-800">
            Digest every (minutes)
          </label>
          <input
            id="rule-digest"
            name="digestMinutes"
            inputMode="numeric"
            placeholder="off"
            defaultValue={text(rule?.digestMinutes ?? null)}
            className={input}
          />
          <FieldError id="rule-digest-error" message={errors.digestMinutes} />
        </div>
      </div>
      <p className="text-xs text-slate-500">In quiet hours deliveries are held and sent when they end, never dropped.</p>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={pending}>
          {rule ? (pending ? "Saving…" : "Save rule") : pending ? "Adding…" : "Add rule"}
        </Button>
        {rule && (
          <ButtonLink href="/settings/notifications" variant="secondary" data-testid="rule-edit-cancel">
            {state?.ok ? "Done" : "Cancel"}
          </ButtonLink>
        )}
        <ActionResult state={state} testId="rule-form" />
      </div>
    </form>
  );
}
