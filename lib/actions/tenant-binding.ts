"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { createUpgradeLink } from "../data/customers.ts";
import { confirmTenant, rejectTenant } from "../data/tenant-binding.ts";
import type { Result } from "../result.ts";
import { idOf, runAction, viewerOrDeny } from "./args.ts";

/** Which tenant is this customer's, and what it grants: confirm or reject a consenting tenant, ask for a capability. */

const capabilityArgument = z.enum(["triage", "hunting", "response"]);

export async function confirmTenantAction(customerId: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("confirmTenant", async () => {
    const id = idOf(customerId);
    const result = await confirmTenant(await viewerOrDeny(), id);
    if (result.ok) revalidatePath(`/customers/${id}`);
    return result;
  });
}

export async function rejectTenantAction(customerId: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("rejectTenant", async () => {
    const id = idOf(customerId);
    const result = await rejectTenant(await viewerOrDeny(), id);
    if (result.ok) revalidatePath(`/customers/${id}`);
    return result;
  });
}

export async function createUpgradeLinkAction(customerId: string, capability: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("createUpgradeLink", async () => {
    const id = idOf(customerId);
    const key = capabilityArgument.parse(capability);
    const result = await createUpgradeLink(await viewerOrDeny(), id, key);
    if (result.ok) revalidatePath(`/customers/${id}`);
    return result;
  });
}
