import { z } from "zod";
import type { HuntConfig } from "../config/hunting.ts";
import type { MicrosoftApiClient, TenantTarget } from "./api-client.ts";
import { parseMicrosoftPayload } from "./schemas/index.ts";

/**
 * Microsoft Graph advanced hunting (graph-docs security-security-runhuntingquery.md):
 * `POST /v1.0/security/runHuntingQuery` with `{"Query": "<KQL>", "Timespan": "<ISO 8601 duration>"}`, application
 * permission ThreatHunting.Read.All; the answer is a huntingQueryResults (security-huntingqueryresults.md):
 * `schema` [{name, type}] and `results` [{column: value}]. The MDE/XDR advancedqueries APIs are being retired.
 */
export const HUNTING_PATH = "/v1.0/security/runHuntingQuery";

const huntingResultsSchema = z.object({
  schema: z
    .array(z.object({ name: z.string().min(1).max(200), type: z.string().max(50).nullish() }).loose())
    .max(500)
    .default([]),
  results: z.array(z.record(z.string(), z.unknown())).default([]),
});

export type HuntingColumn = { name: string; type: string };
export interface HuntingAnswer {
  columns: HuntingColumn[];
  rows: Record<string, unknown>[];
}

export async function runHuntingQuery(
  api: MicrosoftApiClient,
  target: TenantTarget,
  input: { query: string; timespan: string },
  cfg: Pick<HuntConfig, "callsPerMinute" | "queryTimeoutMs">,
): Promise<HuntingAnswer> {
  const body = await api.postQuery(
    "graph",
    target,
    HUNTING_PATH,
    { Query: input.query, Timespan: input.timespan },
    // Its own budget per tenant: "at least 45 calls per minute per tenant" (api-advanced-hunting.md).
    { quota: { key: "hunting", perMinute: cfg.callsPerMinute, perHour: null }, timeoutMs: cfg.queryTimeoutMs },
  );
  const parsed = parseMicrosoftPayload(huntingResultsSchema, body, "advanced hunting result");
  return { columns: parsed.schema.map((c) => ({ name: c.name, type: c.type ?? "String" })), rows: parsed.results };
}
