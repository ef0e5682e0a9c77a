// The queue's SLA columns are rendered by components/incidents/incident-table.tsx from components/sla/sla-cell.ts.

/** The SLA filter inside the queue's filter form. */
export function SlaFilterSelect({ value }: { value: string }) {
  return (
    <label className="field-label">
      SLA
      <select name="sla" defaultValue={value} className="field" data-testid="sla-filter">
        <option value="any">Any</option>
        <option value="breaching">Breaching within 1 h</option>
        <option value="breached">Breached</option>
      </select>
    </label>
  );
}

export const SLA_SORT = { value: "slaNextDueAt", label: "SLA time left" };

/** What the SLA columns can and cannot know. */
export function SlaPrecisionNote({ intervalMinutes }: { intervalMinutes: number }) {
  return (
    <p className="mb-2 text-xs text-slate-500" data-testid="sla-precision">
      SLA times are measured from what each sync observes: precise to one sync interval ({intervalMinutes} min). &quot;Breached&quot; lists incidents whose
      acknowledge or resolve deadline passed while still open; sort by &quot;SLA time left&quot;, oldest first, for the most urgent.
    </p>
  );
}
