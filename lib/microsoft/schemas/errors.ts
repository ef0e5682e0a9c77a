import { z } from "zod";

/**
 * Error bodies. These are parsed on failure paths, so they are the most tolerant schemas here: a body that does
 * not match simply is not that kind of error (use `safeParse`).
 */

/**
 * Defender XDR / MDE: `{"error":{"code":"ResourceNotFound","message":"...","target":"<tracking id>"}}`.
 * Source: defender-docs `defender-endpoint/api/common-errors.md`, `defender-xdr/api-error-codes.md`.
 */
export const DEFENDER_ERROR_CODES = [
  "BadRequest",
  "ODataError",
  "InvalidInput",
  "InvalidRequestBody",
  "InvalidHashValue",
  "InvalidDomainName",
  "InvalidIpAddress",
  "InvalidUrl",
  "MaximumBatchSizeExceeded",
  "MissingRequiredParameter",
  "OsPlatformNotSupported",
  "ClientVersionNotSupported",
  "Unauthorized",
  "Forbidden",
  "DisabledFeature",
  "DisallowedOperation",
  "NotFound",
  "ResourceNotFound",
  "TooManyRequests",
  "InternalServerError",
] as const;

export const defenderErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    // UNCONFIRMED: common-errors.md says every error has a message, but lists InternalServerError as
    // "(No error message, retry the operation.)"; a missing message is accepted.
    message: z.string().optional(),
    /** The request's tracking id ("Correlation request ID" in common-errors.md). */
    target: z.string().optional(),
  }),
});
export type DefenderError = z.infer<typeof defenderErrorSchema>;

/**
 * Microsoft Graph: `{"error":{"code","message","innerError":{"request-id","date"}}}`.
 * Source: microsoft-graph-docs-contrib `concepts/errors.md`. The example spells it `innerError`, the resource
 * description `innererror`; both are accepted, and inner errors may nest.
 */
type GraphInnerError = {
  code?: string | undefined;
  "request-id"?: string | undefined;
  "client-request-id"?: string | undefined;
  date?: string | undefined;
  innerError?: GraphInnerError | undefined;
  innererror?: GraphInnerError | undefined;
};
const graphInnerErrorSchema: z.ZodType<GraphInnerError> = z.lazy(() =>
  z.object({
    code: z.string().optional(),
    "request-id": z.string().optional(),
    "client-request-id": z.string().optional(),
    // Not validated as a date: the docs' own example holds the placeholder "date-time".
    date: z.string().optional(),
    innerError: graphInnerErrorSchema.optional(),
    innererror: graphInnerErrorSchema.optional(),
  }),
);

export const graphErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().optional(),
    target: z.string().optional(),
    innerError: graphInnerErrorSchema.optional(),
    innererror: graphInnerErrorSchema.optional(),
  }),
});
export type GraphError = z.infer<typeof graphErrorSchema>;

/**
 * Microsoft Entra token endpoint error (`/oauth2/v2.0/token` and v1 `/oauth2/token`):
 * `{"error","error_description","error_codes":[70011],"timestamp","trace_id","correlation_id","error_uri"}`.
 * Source: entra-docs `docs/identity-platform/v2-oauth2-client-creds-grant-flow.md` "Error response".
 */
export const entraTokenErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  /** AADSTS numbers, e.g. 70011 for AADSTS70011. */
  error_codes: z.array(z.number().int()).optional(),
  // Not validated as a date: Entra writes "2016-01-09 02:02:12Z" (space, not T), and the current doc example
  // holds the placeholder "YYYY-MM-DD HH:MM:SSZ".
  timestamp: z.string().optional(),
  trace_id: z.string().optional(),
  correlation_id: z.string().optional(),
  error_uri: z.string().optional(),
});
export type EntraTokenError = z.infer<typeof entraTokenErrorSchema>;

/** The AADSTS code of an Entra token error ("AADSTS70011"), from `error_codes` or the description. */
export function aadstsCodeOf(err: EntraTokenError): string | null {
  const first = err.error_codes?.[0];
  if (first !== undefined) return `AADSTS${first}`;
  const match = /\bAADSTS(\d{4,7})\b/.exec(err.error_description?.slice(0, 200) ?? "");
  return match ? `AADSTS${match[1]}` : null;
}
