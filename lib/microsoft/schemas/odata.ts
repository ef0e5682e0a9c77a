import { z } from "zod";

/**
 * OData collection envelopes.
 *
 * `@odata.nextLink` is kept as a plain string: the API client must check its host against the API it called
 * before following it (a payload should never choose where our bearer token goes next).
 */

/**
 * Defender XDR and MDE list envelope: `{"@odata.context": ".../api/$metadata#Incidents", "value": [...]}`
 * (defender-docs api-list-incidents.md, get-alerts.md).
 */
// UNCONFIRMED: whether Defender XDR / MDE ever return `@odata.nextLink` (the docs only show `$top`/`$skip`);
// accepted when present so callers can follow it, and callers page with $skip until a short page otherwise.
export function defenderListSchema<T extends z.ZodType>(item: T) {
  return z.object({
    "@odata.context": z.string().optional(),
    "@odata.nextLink": z.string().optional(),
    value: z.array(item),
  });
}

/**
 * Microsoft Graph collection envelope: `value`, plus `@odata.nextLink` for the next page and `@odata.count`
 * when `$count=true` was asked (graph-docs security-list-incidents.md, security-list-alerts_v2.md).
 */
export function graphListSchema<T extends z.ZodType>(item: T) {
  return z.object({
    "@odata.context": z.string().optional(),
    "@odata.count": z.number().int().nonnegative().optional(),
    "@odata.nextLink": z.string().optional(),
    value: z.array(item),
  });
}

export type DefenderList<T> = { "@odata.context"?: string; "@odata.nextLink"?: string; value: T[] };
export type GraphList<T> = { "@odata.context"?: string; "@odata.count"?: number; "@odata.nextLink"?: string; value: T[] };
