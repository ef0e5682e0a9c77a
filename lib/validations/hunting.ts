import { z } from "zod";
import { GUID_RE } from "../shared/ids.ts";
import { SAFE_TEXT } from "../shared/text.ts";

/** The hunting form's fields (lib/data/hunting.ts). The query is the analyst's KQL, sent to Microsoft as typed. */
export const HUNT_TIMESPANS = [
  { value: "PT1H", label: "Last hour" },
  { value: "P1D", label: "Last 24 hours" },
  { value: "P7D", label: "Last 7 days" },
  { value: "P30D", label: "Last 30 days" },
] as const;
export const MAX_QUERY_LENGTH = 20_000;

// Control characters other than tab and newline have no place in a query (and would hide what it does).
const QUERY_TEXT = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]*$/;

export const huntQueryText = z
  .string()
  .trim()
  .min(1, "Write a KQL query first.")
  .max(MAX_QUERY_LENGTH, `Keep the query under ${MAX_QUERY_LENGTH.toLocaleString("en-US")} characters.`)
  .regex(QUERY_TEXT, "The query contains control characters.")
  // Browsers submit a textarea's line breaks as CRLF: keep the query as typed, with plain newlines.
  .transform((v) => v.replace(/\r\n?/g, "\n"));

export const huntRunInput = z
  .object({
    query: huntQueryText,
    timespan: z.enum(HUNT_TIMESPANS.map((t) => t.value) as [string, ...string[]], { message: "Choose a time range." }),
    scope: z.enum(["all", "group", "pick"], { message: "Choose which customers to hunt in." }),
    group: z.string().optional(),
    customers: z.array(z.string().regex(GUID_RE)).max(5_000).default([]),
  })
  .superRefine((v, ctx) => {
    if (v.scope === "group" && !(v.group && GUID_RE.test(v.group))) ctx.addIssue({ code: "custom", path: ["group"], message: "Choose a customer group." });
    if (v.scope === "pick" && v.customers.length === 0) ctx.addIssue({ code: "custom", path: ["customers"], message: "Pick at least one customer." });
  });

export const savedHuntInput = z.object({
  name: z
    .string()
    .trim()
    .min(2, "Name the query (at least 2 characters).")
    .max(100, "Keep the name under 100 characters.")
    .regex(SAFE_TEXT, "The name contains control characters."),
  description: z
    .string()
    .trim()
    .max(500, "Keep the description under 500 characters.")
    .regex(SAFE_TEXT, "The description contains control characters.")
    .default(""),
  query: huntQueryText,
  shared: z
    .enum(["on", "true", "false", ""])
    .optional()
    .transform((v) => v === "on" || v === "true"),
});
