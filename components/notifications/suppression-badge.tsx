import type { Viewer } from "@/lib/auth/viewer";
import { suppressionOf } from "@/lib/data/notifications";
import { formatDateTime } from "../ui/primitives";

/** "Suppressed by …" next to an incident a notification suppression covers: it is not notified, never hidden. */
export async function SuppressionBadge({ viewer, customerId, title }: { viewer: Viewer; customerId: string; title: string }) {
  const s = await suppressionOf(viewer, { customerId, title });
  if (!s) return null;
  return (
    <span
      className="mt-1 inline-block rounded bg-amber-50 px-1.5 py-0.5 text-xs text-amber-800 ring-1 ring-amber-200"
      title={`${s.reason} (until ${formatDateTime(s.until)})`}
      data-testid="suppressed-badge"
    >
      Notifications suppressed by {s.by}
    </span>
  );
}
