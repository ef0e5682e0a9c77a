"use client";

/**
 * What the SLA columns can and cannot know. A client component only so that each queue response names it instead of
 * carrying its text twice (HTML and React payload, issue #12 §1).
 */
export function SlaPrecisionNote({ intervalMinutes }: { intervalMinutes: number }) {
  return (
    <p className="mb-2 text-xs text-slate-500" data-testid="sla-precision">
      SLA times are measured from what each sync observes: precise to one sync interval ({intervalMinutes} min). &quot;Breached&quot; lists incidents whose
      acknowledge or resolve deadline passed while still open; sort by &quot;SLA time left&quot;, oldest first, for the most urgent.
    </p>
  );
}
