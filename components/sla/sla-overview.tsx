import Link from "next/link";

/** The overview's per-customer SLA cell: incidents whose running deadline passed, and those passing within the hour. */
export function SlaBreachCell({ customerId, counts }: { customerId: string; counts?: { breached: number; breaching: number } }) {
  const breached = counts?.breached ?? 0;
  const breaching = counts?.breaching ?? 0;
  return (
    <td className="num" data-testid="overview-sla">
      {breached > 0 ? (
        <Link className="font-semibold text-red-700 underline" href={`/incidents?customer=${customerId}&sla=breached&range=all&sort=slaNextDueAt&dir=asc`}>
          {breached}
        </Link>
      ) : (
        <span className="muted">0</span>
      )}
      {breaching > 0 && (
        <Link
          className="ml-1 block text-xs text-amber-800 underline"
          href={`/incidents?customer=${customerId}&sla=breaching&range=all&sort=slaNextDueAt&dir=asc`}
        >
          {breaching} within 1 h
        </Link>
      )}
    </td>
  );
}
