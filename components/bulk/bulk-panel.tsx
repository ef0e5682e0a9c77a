"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { startBulkTriageAction } from "@/lib/actions/bulk";
import type { Result } from "@/lib/result";
import { BULK_LIMIT } from "@/lib/validations/bulk";
import { TriageFields, triageFieldClass } from "../incidents/triage-fields";
import { ActionResult } from "../ui/action-result";
import { Button, FieldError } from "../ui/primitives";
import { BULK_FORM_ID, ROW_SELECT } from "./row-select";

const field = triageFieldClass;

/**
 * Bulk triage on the queue: the picked rows (checkboxes in the table belong to this form) or every incident matching
 * the current filter, up to BULK_LIMIT. Starting a job opens its page, which follows it live.
 */
export function BulkPanel({ filterQuery, total, totalCapped }: { filterQuery: string; total: number; totalCapped: boolean }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState(0);
  const [scope, setScope] = useState<"ids" | "filter">("ids");
  const [state, action, pending] = useActionState<Result<{ id: string }> | null, FormData>(startBulkTriageAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};

  useEffect(() => {
    const count = () => setSelected(document.querySelectorAll(`${ROW_SELECT}:checked`).length);
    document.addEventListener("change", count);
    count();
    return () => document.removeEventListener("change", count);
  }, []);
  useEffect(() => {
    if (state?.ok) router.push(`/incidents/bulk/${state.value.id}`);
  }, [state, router]);

  const over = totalCapped || total > BULK_LIMIT;
  return (
    <section className="card mb-4 px-4 py-3" data-testid="bulk-panel">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span data-testid="bulk-selected-count">{selected} selected</span>
        <Button type="button" variant="secondary" onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="bulk-open">
          Bulk triage…
        </Button>
        <Link href="/incidents/bulk" className="text-blue-800 hover:underline">
          My bulk jobs
        </Link>
      </div>
      {/* Rendered once opened: a hidden form with every triage option was most of the queue's markup (issue #12 §1).
          The row checkboxes name this form by id and join it when it appears. */}
      {open && (
        <form id={BULK_FORM_ID} action={action} noValidate className="mt-3 grid gap-3 text-sm sm:grid-cols-2 lg:grid-cols-3" data-testid="bulk-form">
          <fieldset className="sm:col-span-2 lg:col-span-3">
            <legend className="text-xs font-medium text-slate-700">Apply to</legend>
            <label className="mr-4 inline-flex items-center gap-1">
              <input type="radio" name="selection" value="ids" checked={scope === "ids"} onChange={() => setScope("ids")} data-testid="bulk-scope-ids" />
              the {selected} selected incident(s)
            </label>
            <label className="inline-flex items-center gap-1">
              <input
                type="radio"
                name="selection"
                value="filter"
                checked={scope === "filter"}
                onChange={() => setScope("filter")}
                data-testid="bulk-scope-filter"
              />
              all {totalCapped ? `${total.toLocaleString("en-US")}+` : total.toLocaleString("en-US")} incidents matching this filter
            </label>
            {scope === "filter" && over && (
              <p className="mt-1 text-amber-800" data-testid="bulk-over-limit">
                More than {BULK_LIMIT} incidents match: a bulk job holds at most {BULK_LIMIT}. Narrow the filter first.
              </p>
            )}
            <input type="hidden" name="filter" value={filterQuery} />
          </fieldset>
          <TriageFields errors={errors} idPrefix="bulk-" testIdPrefix="bulk" />
          <label className="block text-xs font-medium text-slate-700">
            Add tags (comma separated)
            <input name="tags" maxLength={2_000} className={field} aria-describedby="bulk-tags-error" data-testid="bulk-tags" />
            <FieldError id="bulk-tags-error" message={errors.tags} />
          </label>
          <label className="block text-xs font-medium text-slate-700 sm:col-span-2 lg:col-span-3">
            Comment
            <textarea name="comment" rows={2} maxLength={10_000} className={field} aria-describedby="bulk-comment-error" data-testid="bulk-comment" />
            <FieldError id="bulk-comment-error" message={errors.comment} />
          </label>
          <div className="flex flex-wrap items-center gap-3 sm:col-span-2 lg:col-span-3">
            <Button type="submit" disabled={pending || (scope === "ids" && selected === 0)} data-testid="bulk-submit">
              {pending ? "Starting…" : "Start bulk job"}
            </Button>
            <ActionResult state={state && !state.ok ? state : null} testId="bulk" />
          </div>
        </form>
      )}
    </section>
  );
}
