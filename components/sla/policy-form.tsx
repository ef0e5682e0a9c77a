"use client";
import { startTransition, useActionState, useState } from "react";
import { removeSlaPolicyAction, saveSlaPolicyAction } from "@/lib/actions/sla";
import type { SlaPolicyRule } from "@/lib/sla/policy";
import { SLA_SEVERITIES, formatDuration } from "@/lib/sla/policy";
import { ActionResult } from "../ui/action-result";

const DAYS = [
  [1, "Mon"],
  [2, "Tue"],
  [3, "Wed"],
  [4, "Thu"],
  [5, "Fri"],
  [6, "Sat"],
  [7, "Sun"],
] as const;

const input = "w-24 rounded-md border border-slate-300 px-2 py-1 text-sm tabular-nums";

function Minutes({ name, value, error, label }: { name: string; value: number; error?: string; label: string }) {
  const [v, setV] = useState(String(value));
  const n = Number(v);
  return (
    <td className="px-2 py-1 align-top">
      <input
        name={name}
        aria-label={label}
        inputMode="numeric"
        value={v}
        onChange={(e) => setV(e.target.value)}
        className={input}
        aria-invalid={Boolean(error)}
      />
      <div className="text-xs text-slate-500">{Number.isInteger(n) && n > 0 ? formatDuration(n * 60_000) : "\u00a0"}</div>
      {error && <div className="text-xs text-red-700">{error}</div>}
    </td>
  );
}

/** One policy (the default or a group's): targets per severity in minutes, and an optional business-hours calendar. */
export function PolicyForm({
  policyKey,
  title,
  policy,
  removable,
  testId,
}: {
  policyKey: string;
  title: string;
  policy: SlaPolicyRule;
  removable: boolean;
  testId: string;
}) {
  const [state, action, pending] = useActionState(saveSlaPolicyAction.bind(null, policyKey), null);
  const [removed, remove, removing] = useActionState(async () => removeSlaPolicyAction(policyKey), null);
  const [business, setBusiness] = useState(Boolean(policy.calendar));
  const errors = state && !state.ok ? state.fieldErrors : {};
  const cal = policy.calendar ?? { days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00", timeZone: "Europe/Berlin" };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => action(form));
      }}
      className="space-y-3 text-sm"
      data-testid={testId}
      aria-label={title}
    >
      <table className="text-left">
        <thead className="text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-2 py-1">Severity</th>
            <th className="px-2 py-1">Acknowledge within (min)</th>
            <th className="px-2 py-1">Resolve within (min)</th>
          </tr>
        </thead>
        <tbody>
          {SLA_SEVERITIES.map((s) => (
            <tr key={s}>
              <td className="px-2 py-1 align-top capitalize">{s}</td>
              <Minutes
                name={`${s}.ackMinutes`}
                label={`${s} acknowledge minutes`}
                value={policy.targets[s].ackMinutes}
                error={errors[`targets.${s}.ackMinutes`]}
              />
              <Minutes
                name={`${s}.resolveMinutes`}
                label={`${s} resolve minutes`}
                value={policy.targets[s].resolveMinutes}
                error={errors[`targets.${s}.resolveMinutes`]}
              />
            </tr>
          ))}
        </tbody>
      </table>
      <fieldset className="space-y-2 rounded-md p-2 ring-1 ring-slate-200">
        <legend className="px-1 text-xs font-medium text-slate-700">Clock</legend>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="businessHours" checked={business} onChange={(e) => setBusiness(e.target.checked)} /> Business hours only (otherwise 24×7)
        </label>
        {business && (
          <div className="flex flex-wrap items-end gap-3">
            <span className="flex gap-2">
              {DAYS.map(([d, name]) => (
                <label key={d} className="inline-flex items-center gap-1">
                  <input type="checkbox" name="days" value={d} defaultChecked={cal.days.includes(d)} /> {name}
                </label>
              ))}
            </span>
            <label className="text-xs">
              From
              <input name="start" defaultValue={cal.start} className={`${input} block`} placeholder="09:00" />
            </label>
            <label className="text-xs">
              To
              <input name="end" defaultValue={cal.end} className={`${input} block`} placeholder="17:00" />
            </label>
            <label className="text-xs">
              Time zone (IANA)
              <input name="timeZone" defaultValue={cal.timeZone} className="block w-48 rounded-md border border-slate-300 px-2 py-1 text-sm" />
            </label>
          </div>
        )}
        {(errors["calendar.days"] || errors["calendar.start"] || errors["calendar.end"] || errors["calendar.timeZone"]) && (
          <p className="text-xs text-red-700">{errors["calendar.days"] ?? errors["calendar.start"] ?? errors["calendar.end"] ?? errors["calendar.timeZone"]}</p>
        )}
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={pending} className="rounded-md bg-slate-800 px-3 py-1.5 text-xs font-semibold text-white disabled:opacity-50">
          {pending ? "Saving…" : "Save policy"}
        </button>
        {removable && (
          <button
            type="button"
            disabled={removing}
            onClick={() => startTransition(() => remove())}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-xs font-semibold text-slate-700"
          >
            {policyKey === "default" ? "Reset to built-in default" : "Remove policy"}
          </button>
        )}
      </div>
      <ActionResult state={state} testId={`${testId}-save`} />
      <ActionResult state={removed} testId={`${testId}-remove`} />
    </form>
  );
}
