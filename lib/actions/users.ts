"use server";
import { revalidatePath } from "next/cache";
import { getViewer } from "@/lib/auth/session";
import { AccessDeniedError } from "@/lib/auth/viewer";
import { disableUser, enableUser, endStaffSession, setResponder, signOutEverywhere } from "@/lib/data/staff";
import { failure, type Result } from "@/lib/result";

/**
 * Users & access actions. Each is a public endpoint: it reads the viewer, and lib/data/staff.ts checks
 * `users:manage`, parses the argument with zod and scopes every write to the viewer's partner.
 */
async function run<T>(write: (viewer: NonNullable<Awaited<ReturnType<typeof getViewer>>>) => Promise<Result<T>>): Promise<Result<T>> {
  const viewer = await getViewer();
  if (!viewer) return failure("Your session has ended. Sign in again.", "signed_out");
  try {
    const result = await write(viewer);
    if (result.ok) revalidatePath("/settings/users");
    return result;
  } catch (err) {
    if (err instanceof AccessDeniedError) return failure(err.message, "access_denied");
    throw err;
  }
}

export async function disableUserAction(input: unknown): Promise<Result<{ sessionsEnded: number }>> {
  return run((viewer) => disableUser(viewer, input));
}

export async function enableUserAction(input: unknown): Promise<Result> {
  return run((viewer) => enableUser(viewer, input));
}

export async function signOutEverywhereAction(input: unknown): Promise<Result<{ sessionsEnded: number }>> {
  return run((viewer) => signOutEverywhere(viewer, input));
}

export async function endSessionAction(input: unknown): Promise<Result> {
  return run((viewer) => endStaffSession(viewer, input));
}

/** Grants ({ userId, granted: true }) or withdraws the portal's Responder grant (lib/data/staff.ts setResponder). */
export async function setResponderAction(input: unknown): Promise<Result> {
  return run((viewer) => setResponder(viewer, input));
}
