"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getViewer } from "@/lib/auth/session";
import { isNamedError } from "@/lib/errors";
import { createUpgradeLink } from "@/lib/data/customers";
import { confirmTenant, rejectTenant } from "@/lib/data/tenant-binding";
import { failure, type Result } from "@/lib/result";

/** Server actions are public endpoints: arguments are checked here, access is decided in lib/data. */
const customerIdArg = z.string().uuid();
const capabilityArg = z.enum(["triage", "hunting", "response"]);

async function run(customerId: unknown, fn: (viewer: NonNullable<Awaited<ReturnType<typeof getViewer>>>, id: string) => Promise<Result>): Promise<Result> {
  const id = customerIdArg.safeParse(customerId);
  if (!id.success) return failure("Customer not found.", "not_found");
  const viewer = await getViewer();
  if (!viewer) return failure("Your session has ended. Sign in again.", "signed_out");
  try {
    const result = await fn(viewer, id.data);
    if (result.ok) revalidatePath(`/customers/${id.data}`);
    return result;
  } catch (err) {
    if (isNamedError(err, "AccessDeniedError")) return failure("You do not have access to this.", "access_denied");
    throw err;
  }
}

export async function confirmTenantAction(customerId: string): Promise<Result> {
  return run(customerId, (viewer, id) => confirmTenant(viewer, id));
}

export async function rejectTenantAction(customerId: string): Promise<Result> {
  return run(customerId, (viewer, id) => rejectTenant(viewer, id));
}

export async function createUpgradeLinkAction(customerId: string, capability: string): Promise<Result> {
  const cap = capabilityArg.safeParse(capability);
  if (!cap.success) return failure("Unknown capability.", "bad_capability");
  return run(customerId, (viewer, id) => createUpgradeLink(viewer, id, cap.data));
}
