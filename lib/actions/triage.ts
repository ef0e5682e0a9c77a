"use server";
import { revalidatePath } from "next/cache";
import { triageIncident } from "../data/triage.ts";
import type { Result } from "../result.ts";
import { formFields, idOf, runAction, viewerOrDeny } from "./args.ts";

/** Triage one incident at Microsoft (status, assignment, classification, comment). */
export async function triageIncidentAction(incidentId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("triageIncident", async () => {
    const id = idOf(incidentId);
    const fields = formFields(form);
    const viewer = await viewerOrDeny();
    const result = await triageIncident(viewer, id, fields);
    if (result.ok) revalidatePath(`/incidents/${id}`);
    return result;
  });
}
