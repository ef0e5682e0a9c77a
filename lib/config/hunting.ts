import { z } from "zod";
import { AppError, isNamedError } from "../errors.ts";

/**
 * Advanced hunting settings (issue 11 §1), validated once on their own like notify.ts. Documented in .env.example.
 *
 * Microsoft's limits (graph-docs security-security-runhuntingquery.md; defender-xdr api-advanced-hunting.md "Quotas and
 * resource allocation"): data of the last 30 days, at most 100,000 rows per query, "at least 45 calls per minute per
 * tenant", a CPU quota per tenant reset every 15 minutes, 3 minutes per query, HTTP 429 when a limit is reached.
 */
const schema = z.object({
  /** Rows a whole run keeps, over every customer (the run says when it cut). */
  HUNT_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
  /** Customers queried at once by one run (each customer's calls also stay under its own per-minute quota). */
  HUNT_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** Days a run's rows are kept for the analyst to page, sort and export (then deleted; the history keeps the query). */
  HUNT_RESULTS_RETENTION_DAYS: z.coerce.number().int().min(1).max(30).default(7),
  /** Calls per minute per tenant the portal allows itself: Microsoft documents "at least 45". */
  HUNT_CALLS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000).default(45),
  /** How long the portal waits for one query: Microsoft stops a query after 3 minutes, so a little more. */
  HUNT_QUERY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(200),
  /** Longest Retry-After a run waits out before reporting the customer as throttled. */
  HUNT_MAX_RETRY_AFTER_SECONDS: z.coerce.number().int().min(0).max(3_600).default(90),
});

export interface HuntConfig {
  maxRows: number;
  concurrency: number;
  retentionDays: number;
  callsPerMinute: number;
  queryTimeoutMs: number;
  maxRetryAfterMs: number;
}

export class HuntConfigError extends AppError {
  override name = "HuntConfigError";
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "HuntConfigError");
  }
  constructor(message: string) {
    super(message, "hunt_config", 500);
  }
}

export function parseHuntConfig(source: Record<string, string | undefined>): HuntConfig {
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw new HuntConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const v = parsed.data;
  return {
    maxRows: v.HUNT_MAX_ROWS,
    concurrency: v.HUNT_CONCURRENCY,
    retentionDays: v.HUNT_RESULTS_RETENTION_DAYS,
    callsPerMinute: v.HUNT_CALLS_PER_MINUTE,
    queryTimeoutMs: v.HUNT_QUERY_TIMEOUT_SECONDS * 1000,
    maxRetryAfterMs: v.HUNT_MAX_RETRY_AFTER_SECONDS * 1000,
  };
}

let cached: HuntConfig | null = null;
export function huntConfig(): HuntConfig {
  cached ??= parseHuntConfig(process.env);
  return cached;
}
