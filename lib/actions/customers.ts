"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { createConsentLink, createCustomer, revokeConsentLinks, submitManualTenantId } from "../data/customers.ts";
import type { Result } from "../result.ts";
import { formFields, idOf, runAction, viewerOrDeny } from "./args.ts";

/** Customers and their consent: add a customer, create or revoke its consent link, verify a typed tenant ID. */

export async function addCustomerAction(_prev: Result | null, form: FormData): Promise<Result> {
  const result = await runAction("addCustomer", async () => {
    const fields = formFields(form);
    const viewer = await viewerOrDeny();
    return createCustomer(viewer, fields);
  });
  if (!result.ok) return result;
  revalidatePath("/customers");
  redirect(`/customers/${result.value.id}`);
}

export async function createLinkAction(customerId: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("createLink", async () => {
    const id = idOf(customerId);
    const viewer = await viewerOrDeny();
    const result = await createConsentLink(viewer, id);
    // Only a success changes the page; a failure keeps it as it was, with the message next to the button.
    if (result.ok) revalidatePath(`/customers/${id}`);
    return result.ok ? { ok: true, message: "Consent link created. Send the onboarding page to the customer." } : result;
  });
}

export async function revokeLinkAction(customerId: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("revokeLink", async () => {
    const id = idOf(customerId);
    const viewer = await viewerOrDeny();
    const result = await revokeConsentLinks(viewer, id);
    if (result.ok) revalidatePath(`/customers/${id}`);
    return result.ok ? { ok: true, message: "Consent link revoked." } : result;
  });
}

export async function manualTenantAction(customerId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("manualTenant", async () => {
    const id = idOf(customerId);
    const fields = formFields(form);
    const viewer = await viewerOrDeny();
    const result = await submitManualTenantId(viewer, id, fields);
    revalidatePath(`/customers/${id}`);
    return result.ok ? { ok: true } : result;
  });
}
