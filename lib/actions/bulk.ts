"use server";
import { revalidatePath } from "next/cache";
import { createBulkJob, retryBulkJob } from "../data/bulk.ts";
import type { Result } from "../result.ts";
import { formFields, formValues, idOf, runAction, viewerOrDeny } from "./args.ts";

/** Starts a bulk triage job over the picked rows (`ids`) or every incident matching the queue's filter. */
export async function startBulkTriageAction(_prev: Result<{ id: string }> | null, form: FormData): Promise<Result<{ id: string }>> {
  return runAction("startBulkTriage", async () => {
    const fields = formFields(form);
    const ids = formValues(form, "ids");
    const viewer = await viewerOrDeny();
    const result = await createBulkJob(viewer, { fields, ids });
    if (!result.ok) return result;
    revalidatePath("/incidents/bulk");
    return { ok: true, message: result.message, value: { id: result.value.id } };
  });
}

/** Runs a finished job's failed items again (done items are never resent). */
export async function retryBulkJobAction(jobId: string): Promise<Result> {
  return runAction("retryBulkJob", async () => {
    const id = idOf(jobId);
    const viewer = await viewerOrDeny();
    const result = await retryBulkJob(viewer, id);
    if (result.ok) revalidatePath(`/incidents/bulk/${id}`);
    return result;
  });
}
