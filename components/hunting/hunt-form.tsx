"use client";
import { useActionState, useState } from "react";
import { saveHuntQueryAction, startHuntAction } from "@/lib/actions/hunting";
import type { Result } from "@/lib/result";
import { HUNT_TIMESPANS } from "@/lib/validations/hunting";
import { ActionResult } from "../ui/action-result";
import { Button, FieldError } from "../ui/primitives";
import { CustomerPicker } from "../incidents/customer-picker";
import { GroupSelect, type GroupOption } from "../groups/group-select";
import { KqlEditor } from "./kql-editor";

export interface HuntFormSource {
  query: string;
  timespan: string;
  label: string | null;
  saved: { id: string; name: string; description: string; shared: boolean; canEdit: boolean } | null;
}

/**
 * The hunt: the query, which customers (all I may see / a group / a pick list) and the time range; "Run hunt" starts
 * it (Ctrl-Enter from the editor), "Save query" keeps the text under a name (personal or shared).
 */
export function HuntForm({ source, groups }: { source: HuntFormSource; groups: GroupOption[] }) {
  const [runState, runAction, running] = useActionState<Result<{ id: string }> | null, FormData>(startHuntAction, null);
  const [saveState, saveAction, saving] = useActionState<Result<{ id: string }> | null, FormData>(saveHuntQueryAction, null);
  const [scope, setScope] = useState<"all" | "group" | "pick">("all");
  const errors = runState && !runState.ok ? runState.fieldErrors : {};
  const saveErrors = saveState && !saveState.ok ? saveState.fieldErrors : {};
  return (
    <form action={runAction} className="space-y-4" data-testid="hunt-form" aria-label="Hunt">
      {source.label && (
        <p className="text-xs text-slate-500" data-testid="hunt-source">
          {source.label}
        </p>
      )}
      <div>
        <div className="flex items-baseline justify-between">
          <label className="text-sm font-medium text-slate-700">Query (KQL)</label>
          <span className="text-xs text-slate-500">Ctrl-Enter runs it</span>
        </div>
        <KqlEditor name="query" defaultValue={source.query} invalid={Boolean(errors.query ?? saveErrors.query)} describedBy="hunt-query-error" />
        <FieldError id="hunt-query-error" message={errors.query ?? saveErrors.query} />
      </div>
      <div className="grid gap-4 md:grid-cols-[1fr_14rem]">
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Customers</legend>
          <div className="mt-1 flex flex-wrap gap-4 text-sm">
            {(
              [
                ["all", "All my customers"],
                ["group", "A customer group"],
                ["pick", "Pick customers"],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="flex items-center gap-1.5">
                <input type="radio" name="scope" value={value} checked={scope === value} onChange={() => setScope(value)} data-testid={`hunt-scope-${value}`} />
                {label}
              </label>
            ))}
          </div>
          {scope === "group" && (
            <div className="max-w-sm">
              <GroupSelect groups={groups} />
              <FieldError id="hunt-group-error" message={errors.group} />
            </div>
          )}
          {scope === "pick" && (
            <div className="max-w-xl">
              <CustomerPicker selected={[]} placeholder="Type a customer's name to add it" />
              <FieldError id="hunt-customers-error" message={errors.customers} />
            </div>
          )}
        </fieldset>
        <label className="text-sm font-medium text-slate-700">
          Time range
          <select
            name="timespan"
            defaultValue={source.timespan}
            className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm font-normal"
            data-testid="hunt-timespan"
          >
            {HUNT_TIMESPANS.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={running} data-testid="hunt-run">
          {running ? "Starting…" : "Run hunt"}
        </Button>
        <ActionResult state={runState} testId="hunt-run" />
      </div>
      <details className="rounded-md border border-slate-200 px-3 py-2" open={Boolean(source.saved?.canEdit) || undefined}>
        <summary className="cursor-pointer text-sm font-medium text-slate-700">
          {source.saved?.canEdit ? `Saved query: ${source.saved.name}` : "Save this query"}
        </summary>
        <div className="mt-3 grid gap-3 md:grid-cols-2">
          {source.saved?.canEdit && <input type="hidden" name="savedId" value={source.saved.id} />}
          <label className="text-sm font-medium text-slate-700">
            Name
            <input
              name="name"
              defaultValue={source.saved?.canEdit ? source.saved.name : ""}
              maxLength={100}
              className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm font-normal"
              data-testid="hunt-save-name"
            />
            <FieldError id="hunt-save-name-error" message={saveErrors.name} />
          </label>
          <label className="text-sm font-medium text-slate-700">
            Description
            <input
              name="description"
              defaultValue={source.saved?.canEdit ? source.saved.description : ""}
              maxLength={500}
              className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm font-normal"
            />
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="shared" defaultChecked={source.saved?.canEdit ? source.saved.shared : false} data-testid="hunt-save-shared" />
            Share with every analyst of the partner
          </label>
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" formAction={saveAction} variant="secondary" disabled={saving} data-testid="hunt-save">
              {saving ? "Saving…" : source.saved?.canEdit ? "Update saved query" : "Save query"}
            </Button>
            {source.saved?.canEdit && (
              <Button type="submit" formAction={saveAction} name="saveAs" value="new" variant="secondary" disabled={saving}>
                Save as new
              </Button>
            )}
            <ActionResult state={saveState} testId="hunt-save" />
          </div>
        </div>
      </details>
    </form>
  );
}
