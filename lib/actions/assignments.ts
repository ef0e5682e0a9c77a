"use server";
import { revalidatePath } from "next/cache";
import { setCustomerAssignments } from "../data/assignments.ts";
import type { Result } from "../result.ts";
import { formValues, idOf, runAction, viewerOrDeny } from "./args.ts";

/** Which analysts work a customer (admin only); lib/data checks each id is an analyst of the same partner. */
export async function setAssignmentsAction(customerId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("setAssignments", async () => {
    const id = idOf(customerId);
    const analystIds = formValues(form, "analyst");
    const viewer = await viewerOrDeny();
    const result = await setCustomerAssignments(viewer, id, { analystIds });
    if (result.ok) revalidatePath(`/customers/${id}`);
    return result;
  });
}
