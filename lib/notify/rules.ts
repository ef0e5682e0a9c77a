import { SEVERITY_RANK } from "./model.ts";

/** Pure matching: does a rule want an event, and does a suppression silence it? */
export interface RuleShape {
  id: string;
  kinds: string[];
  minSeverity: string;
  scope: string;
  customerIds: string[];
  groupIds: string[];
  unassignedMinutes: number | null;
  syncFailingMinutes: number | null;
}

export interface EventFacts {
  kind: string;
  customerId: string;
  /** The customer's groups. */
  groupIds: ReadonlySet<string>;
  /** The incident's current severity and title (incident events). */
  severity: string | null;
  title: string | null;
  detail: Record<string, unknown>;
}

function inScope(scope: string, customerIds: readonly string[], groupIds: readonly string[], e: EventFacts): boolean {
  if (scope === "customers") return customerIds.includes(e.customerId);
  if (scope === "groups") return groupIds.some((g) => e.groupIds.has(g));
  return true;
}

export function ruleMatches(rule: RuleShape, e: EventFacts): boolean {
  if (!rule.kinds.includes(e.kind)) return false;
  if (!inScope(rule.scope, rule.customerIds, rule.groupIds, e)) return false;
  // Time-based kinds carry the threshold they were raised for: each rule hears only its own N.
  if (e.kind === "incident.unassigned" && Number(e.detail.minutes) !== rule.unassignedMinutes) return false;
  if (e.kind === "customer.sync_failing" && Number(e.detail.minutes) !== rule.syncFailingMinutes) return false;
  if (e.kind.startsWith("incident.") || e.kind.startsWith("sla.")) {
    if ((SEVERITY_RANK[e.severity ?? ""] ?? 0) < (SEVERITY_RANK[rule.minSeverity] ?? 0)) return false;
  }
  return true;
}

export interface SuppressionShape {
  id: string;
  customerIds: string[];
  groupIds: string[];
  titleContains: string | null;
  until: Date;
  endedAt: Date | null;
}

/**
 * The first active suppression that covers an event. Scope: the listed customers and groups (every customer when
 * both lists are empty). Title: a plain case-insensitive substring (no patterns from users); a suppression with a
 * title applies to incident events only.
 */
export function suppressionFor<S extends SuppressionShape>(
  suppressions: readonly S[],
  e: Pick<EventFacts, "customerId" | "groupIds" | "title">,
  at: Date,
): S | null {
  for (const s of suppressions) {
    if (s.endedAt || s.until <= at) continue;
    const everyone = !s.customerIds.length && !s.groupIds.length;
    if (!everyone && !s.customerIds.includes(e.customerId) && !s.groupIds.some((g) => e.groupIds.has(g))) continue;
    if (s.titleContains) {
      if (e.title === null || !e.title.toLowerCase().includes(s.titleContains.toLowerCase())) continue;
    }
    return s;
  }
  return null;
}
