// The queue's SLA columns are rendered by components/incidents/incident-table.tsx from components/sla/sla-cell.ts; the
// note under the filters is components/sla/sla-precision-note.tsx.

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
