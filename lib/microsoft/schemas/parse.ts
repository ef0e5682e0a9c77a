import { z } from "zod";
import { AppError, isNamedError } from "../../errors.ts";

/**
 * Turning Microsoft payloads into typed values, with errors that are safe to log.
 *
 * Payloads come from Microsoft (or from anyone who can answer in its place) and can carry megabyte strings. An
 * error message names the field path and the expected type, and never carries more than ~80 characters of any
 * value, with control characters escaped; invalid_type issues echo only the received type, never the value.
 */

const MAX_ECHO = 80;
const MAX_ISSUES_IN_MESSAGE = 5;
const MAX_ISSUE_MESSAGE = 200;

export interface MicrosoftPayloadIssue {
  /** `value[3].incidentId`, `["@odata.nextLink"]`, or `(root)`. */
  readonly path: string;
  /** `expected number, received string`. Safe to log: values are truncated and escaped. */
  readonly message: string;
}

export class MicrosoftPayloadError extends AppError {
  override name = "MicrosoftPayloadError";
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "MicrosoftPayloadError");
  }
  constructor(
    /** What was being parsed, as the caller named it ("Defender XDR incident list"). */
    readonly what: string,
    readonly issues: readonly MicrosoftPayloadIssue[],
  ) {
    // 502: Microsoft's answer, not the request, was at fault.
    super(formatMessage(what, issues), "microsoft_payload_invalid", 502);
  }
}

/** Parses `json` (an already-parsed JSON value) with `schema`, or throws a `MicrosoftPayloadError`. */
export function parseMicrosoftPayload<S extends z.ZodType>(schema: S, json: unknown, what: string): z.output<S> {
  const result = safeParseMicrosoftPayload(schema, json, what);
  if (!result.ok) throw result.error;
  return result.value;
}

export type MicrosoftParseResult<T> = { ok: true; value: T } | { ok: false; error: MicrosoftPayloadError };

/** Like `parseMicrosoftPayload`, without throwing (for per-item tolerance: skip one bad alert, keep the page). */
export function safeParseMicrosoftPayload<S extends z.ZodType>(schema: S, json: unknown, what: string): MicrosoftParseResult<z.output<S>> {
  // reportInput lets the formatter say what was received; the formatter never copies more than MAX_ECHO chars.
  const result = schema.safeParse(json, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: new MicrosoftPayloadError(what, result.error.issues.map(toPayloadIssue)) };
}

/** Parses response text as JSON, then with `schema`. A body that is not JSON fails without echoing it. */
export function parseMicrosoftJsonText<S extends z.ZodType>(schema: S, text: string, what: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // V8's SyntaxError quotes part of the body; say only what and how long.
    throw new MicrosoftPayloadError(what, [{ path: "(root)", message: `expected JSON, received ${text.length} characters that are not JSON` }]);
  }
  return parseMicrosoftPayload(schema, json, what);
}

// ── Formatting ────────────────────────────────────────────────────────────────────────────────────────────

function formatMessage(what: string, issues: readonly MicrosoftPayloadIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length > MAX_ISSUES_IN_MESSAGE ? ` (and ${issues.length - MAX_ISSUES_IN_MESSAGE} more)` : "";
  return `${what}: ${shown.join("; ")}${more}`;
}

/** `value[3].incidentId`; keys that are not identifiers are bracketed: `["@odata.nextLink"]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else {
      const key = truncate(String(segment), MAX_ECHO);
      out += /^[A-Za-z_$][\w$]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

function toPayloadIssue(issue: z.core.$ZodIssue): MicrosoftPayloadIssue {
  return { path: formatIssuePath(issue.path), message: truncate(describeIssue(issue), MAX_ISSUE_MESSAGE) };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}, received ${typeName(issue.input)}`;
    case "invalid_format":
      // Our own regexes carry a readable message ("expected ISO 8601 date-time"); zod's defaults name the format.
      return `${issue.message.startsWith("expected") ? issue.message : `expected ${issue.format}`}, received ${preview(issue.input)}`;
    case "invalid_value":
      return `expected one of ${issue.values
        .slice(0, 10)
        .map((v) => preview(v))
        .join(", ")}, received ${preview(issue.input)}`;
    case "invalid_union":
      return "matches none of the allowed shapes";
    default:
      return issue.message;
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** A short, log-safe rendering of a value: strings quoted, escaped and cut to ~80 characters. */
export function preview(value: unknown): string {
  if (typeof value === "string") {
    const cut = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}` : value;
    // JSON.stringify escapes quotes and control characters (no forged log lines).
    return value.length > MAX_ECHO ? `${JSON.stringify(cut)}… (${value.length} chars)` : JSON.stringify(cut);
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  return typeName(value);
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
