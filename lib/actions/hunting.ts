"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { createHuntRun, deleteHuntQuery, retryHuntCustomers, saveHuntQuery } from "../data/hunting.ts";
import type { Result } from "../result.ts";
import { formFields, formValues, idOf, runAction, viewerOrDeny } from "./args.ts";

/** Starts a hunt over the chosen customers and opens its page (progress, then results). */
export async function startHuntAction(_prev: Result<{ id: string }> | null, form: FormData): Promise<Result<{ id: string }>> {
  const result = await runAction("startHunt", async () => {
    const fields = formFields(form);
    const viewer = await viewerOrDeny();
    return createHuntRun(viewer, { ...fields, customers: formValues(form, "customer") });
  });
  if (result.ok) redirect(`/hunting/runs/${result.value.id}`);
  return result;
}

/** Asks the failed customers of a finished hunt again. */
export async function retryHuntAction(runId: string): Promise<Result> {
  return runAction("retryHunt", async () => {
    const id = idOf(runId);
    const viewer = await viewerOrDeny();
    const result = await retryHuntCustomers(viewer, id);
    if (result.ok) revalidatePath(`/hunting/runs/${id}`);
    return result;
  });
}

/** Saves the editor's query (new, or an update of the saved query named by `savedId`). */
export async function saveHuntQueryAction(_prev: Result<{ id: string }> | null, form: FormData): Promise<Result<{ id: string }>> {
  return runAction("saveHuntQuery", async () => {
    const fields = formFields(form);
    const viewer = await viewerOrDeny();
    const savedId = fields.savedId ? idOf(fields.savedId) : undefined;
    const result = await saveHuntQuery(
      viewer,
      { name: fields.name ?? "", description: fields.description ?? "", query: fields.query ?? "", shared: fields.shared ?? "" },
      fields.saveAs === "new" ? undefined : savedId,
    );
    if (result.ok) revalidatePath("/hunting");
    return result;
  });
}

export async function deleteHuntQueryAction(queryId: string): Promise<Result> {
  return runAction("deleteHuntQuery", async () => {
    const id = idOf(queryId);
    const viewer = await viewerOrDeny();
    const result = await deleteHuntQuery(viewer, id);
    if (result.ok) revalidatePath("/hunting");
    return result;
  });
}
