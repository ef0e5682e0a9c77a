import "server-only";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { getViewer } from "../auth/session.ts";
import { AccessDeniedError, type Viewer } from "../auth/viewer.ts";
import { isAppError } from "../errors.ts";
import { log } from "../ops/log.ts";
import { failure, type Result } from "../result.ts";

/**
 * What every server action shares (not itself a "use server" module, so none of this is an endpoint): the viewer,
 * argument parsing, and one place that turns what went wrong into a Result for the control that caused it.
 */

/** Server actions are public endpoints: each one reads the viewer and lets lib/data decide access. */
export async function viewerOrDeny(): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) throw new AccessDeniedError("Your session has ended. Sign in again.");
  return viewer;
}

// Arguments arrive from the network whatever the TypeScript signature says: check their shape first.
const idArgument = z.string().min(1).max(64);
const formArgument = z.instanceof(FormData, { message: "Expected a form submission." });

export function idOf(value: unknown): string {
  return idArgument.parse(value);
}

export function formOf(value: unknown): FormData {
  return formArgument.parse(value);
}

/** The form's text fields, without React's own `$ACTION_*` entries. */
export function formFields(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of formOf(value).entries()) if (typeof v === "string" && !k.startsWith("$")) out[k] = v;
  return out;
}

/** Every text value submitted under `name` (checkbox groups). */
export function formValues(value: unknown, name: string): string[] {
  return formOf(value)
    .getAll(name)
    .filter((v): v is string => typeof v === "string");
}

/**
 * Runs an action's body and always answers with a Result (formbricks' action client): expected errors (AppError:
 * access denied, Microsoft refused, …) with their own message and code; malformed arguments as such; anything
 * else logged here and reported in general words, so no stack trace or internal detail reaches the browser.
 * Next's own control flow (redirect, notFound) passes through.
 */
export async function runAction<T>(name: string, body: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await body();
  } catch (err) {
    unstable_rethrow(err);
    if (isAppError(err)) return failure(err.message, err.code);
    if (err instanceof z.ZodError) return failure("The request was not understood. Reload the page and try again.", "bad_request");
    log.error("server action failed unexpectedly", { action: name, err });
    return failure("The portal could not complete this request. Try again; if it keeps failing, the server log has the details.", "internal_error");
  }
}
