"use server";
import { revalidatePath } from "next/cache";
import { createView, deleteView, updateView } from "../data/views.ts";
import type { Result } from "../result.ts";
import { formFields, idOf, runAction, viewerOrDeny } from "./args.ts";

/** Saved views of the queues; lib/data/views.ts decides who may change which view. */
export async function createViewAction(_prev: Result<{ id: string }> | null, form: FormData): Promise<Result<{ id: string }>> {
  return runAction("createView", async () => {
    const f = formFields(form);
    const result = await createView(await viewerOrDeny(), { queue: f.queue, name: f.name, query: f.query ?? "", shared: f.shared ?? "" });
    if (result.ok) revalidatePath(`/${f.queue === "alerts" ? "alerts" : "incidents"}`);
    return result;
  });
}

export async function updateViewAction(viewId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("updateView", async () => {
    const id = idOf(viewId);
    const f = formFields(form);
    const result = await updateView(await viewerOrDeny(), id, { name: f.name, shared: f.shared ?? "" });
    if (result.ok) {
      revalidatePath("/incidents");
      revalidatePath("/alerts");
    }
    return result;
  });
}

export async function deleteViewAction(viewId: string): Promise<Result> {
  return runAction("deleteView", async () => {
    const result = await deleteView(await viewerOrDeny(), idOf(viewId));
    if (result.ok) {
      revalidatePath("/incidents");
      revalidatePath("/alerts");
    }
    return result;
  });
}
