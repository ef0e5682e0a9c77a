// The overview's rows as its client components (overview-table.tsx) receive them: a module of its own, since on the
// server what a "use client" module exports is only a reference to it.

export const OVERVIEW_SEVERITIES = ["high", "medium", "low", "informational"] as const;

/** One customer on the overview, as the browser needs it (decided on the server, lib/data/health.ts getOverview). */
export interface OverviewRowView {
  id: string;
  name: string;
  /** Consent status (CONSENTED, REVOKED…). */
  status: string;
  high: number;
  medium: number;
  low: number;
  informational: number;
  /** Open incidents whose SLA deadline passed, and those passing within the hour. */
  breached?: number;
  breaching?: number;
  /** Why it needs attention, or what it waits for; neither: healthy. */
  problem?: string;
  waiting?: string;
}

export const OVERVIEW_ROW_FIELDS = [
  "id",
  "name",
  "status",
  "high",
  "medium",
  "low",
  "informational",
  "breached",
  "breaching",
  "problem",
  "waiting",
] as const satisfies readonly (keyof OverviewRowView)[];

export interface AttentionView {
  id: string;
  name: string;
  problem?: string;
  /** Open high-severity incidents. */
  high: number;
}
