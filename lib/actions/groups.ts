"use server";
import { revalidatePath } from "next/cache";
import { addGroupCustomers, createGroup, deleteGroup, removeGroupCustomer, setCustomerGroups, setGroupAnalysts, updateGroup } from "../data/groups.ts";
import type { Result } from "../result.ts";
import { formFields, formValues, idOf, runAction, viewerOrDeny } from "./args.ts";

/** Customer groups (admin: lib/data/groups.ts asks `customers:assign` and scopes every write to the viewer's partner). */
export async function createGroupAction(_prev: Result<{ id: string }> | null, form: FormData): Promise<Result<{ id: string }>> {
  return runAction("createGroup", async () => {
    const fields = formFields(form);
    const result = await createGroup(await viewerOrDeny(), { name: fields.name, description: fields.description });
    if (result.ok) revalidatePath("/settings/groups");
    return result;
  });
}

export async function updateGroupAction(groupId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("updateGroup", async () => {
    const id = idOf(groupId);
    const fields = formFields(form);
    const result = await updateGroup(await viewerOrDeny(), id, { name: fields.name, description: fields.description });
    if (result.ok) revalidatePath("/settings/groups", "layout");
    return result;
  });
}

export async function deleteGroupAction(groupId: string): Promise<Result> {
  return runAction("deleteGroup", async () => {
    const result = await deleteGroup(await viewerOrDeny(), idOf(groupId));
    if (result.ok) revalidatePath("/settings/groups", "layout");
    return result;
  });
}

export async function addGroupCustomersAction(groupId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("addGroupCustomers", async () => {
    const id = idOf(groupId);
    const result = await addGroupCustomers(await viewerOrDeny(), id, formValues(form, "customer"));
    if (result.ok) revalidatePath(`/settings/groups/${id}`);
    return result;
  });
}

export async function removeGroupCustomerAction(groupId: string, customerId: string): Promise<Result> {
  return runAction("removeGroupCustomer", async () => {
    const id = idOf(groupId);
    const result = await removeGroupCustomer(await viewerOrDeny(), id, idOf(customerId));
    if (result.ok) revalidatePath(`/settings/groups/${id}`);
    return result;
  });
}

export async function setGroupAnalystsAction(groupId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("setGroupAnalysts", async () => {
    const id = idOf(groupId);
    const result = await setGroupAnalysts(await viewerOrDeny(), id, formValues(form, "analyst"));
    if (result.ok) revalidatePath(`/settings/groups/${id}`);
    return result;
  });
}

/** The customer page's membership control. */
export async function setCustomerGroupsAction(customerId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("setCustomerGroups", async () => {
    const id = idOf(customerId);
    const result = await setCustomerGroups(await viewerOrDeny(), id, formValues(form, "group"));
    if (result.ok) revalidatePath(`/customers/${id}`);
    return result;
  });
}
