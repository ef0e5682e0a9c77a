import type { z } from "zod";

/** The first message per field (the top-level path segment), ready to show next to each input. */
export function fieldErrorsOf(error: z.ZodError, fallbackField = "form"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) out[String(issue.path[0] ?? fallbackField)] ??= issue.message;
  return out;
}
