/**
 * The overview's per-customer SLA cell: incidents whose running deadline passed, and those passing within the hour.
 * Plain anchors: the overview table opens them client-side (components/ui/soft-links.ts).
 */
export function SlaBreachCell({ customerId, counts }: { customerId: string; counts?: { breached: number; breaching: number } }) {
  const breached = counts?.breached ?? 0;
  const breaching = counts?.breaching ?? 0;
  return (
    <td className="num" data-testid="overview-sla">
      {breached > 0 ? (
        <a className="font-semibold text-red-700 underline" href={`/incidents?customer=${customerId}&sla=breached&range=all&sort=slaNextDueAt&dir=asc`}>
          {breached}
        </a>
      ) : (
        <span className="muted">0</span>
      )}
      {breaching > 0 && (
        <a className="ml-1 block text-xs text-amber-800 underline" href={`/incidents?customer=${customerId}&sla=breaching&range=all&sort=slaNextDueAt&dir=asc`}>
          {breaching} within 1 h
        </a>
      )}
    </td>
  );
}
