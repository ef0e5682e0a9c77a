"use server";
import { revalidatePath } from "next/cache";
import { removeSlaPolicy, saveSlaPolicy, setReportRecipients } from "../data/sla.ts";
import type { Result } from "../result.ts";
import { formFields, formValues, idOf, runAction, viewerOrDeny } from "./args.ts";
import { SLA_SEVERITIES } from "../sla/policy.ts";

/** Saves the default policy ("default") or a group's (its id); lib/data checks the role and the group's partner. */
export async function saveSlaPolicyAction(key: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("saveSlaPolicy", async () => {
    const k = idOf(key);
    const fields = formFields(form);
    const viewer = await viewerOrDeny();
    const targets = Object.fromEntries(
      SLA_SEVERITIES.map((s) => [s, { ackMinutes: fields[`${s}.ackMinutes`] ?? "", resolveMinutes: fields[`${s}.resolveMinutes`] ?? "" }]),
    );
    const calendar =
      fields.businessHours === "on"
        ? { days: formValues(form, "days"), start: fields.start ?? "", end: fields.end ?? "", timeZone: fields.timeZone ?? "" }
        : null;
    const result = await saveSlaPolicy(viewer, k, { targets, calendar });
    if (result.ok) revalidatePath("/settings/sla");
    return result;
  });
}

export async function removeSlaPolicyAction(key: string): Promise<Result> {
  return runAction("removeSlaPolicy", async () => {
    const k = idOf(key);
    const viewer = await viewerOrDeny();
    const result = await removeSlaPolicy(viewer, k);
    if (result.ok) revalidatePath("/settings/sla");
    return result;
  });
}

/** The monthly report's recipients of one customer (admins). */
export async function setReportRecipientsAction(customerId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("setReportRecipients", async () => {
    const id = idOf(customerId);
    const fields = formFields(form);
    const viewer = await viewerOrDeny();
    const result = await setReportRecipients(viewer, id, { recipients: fields.recipients ?? "" });
    if (result.ok) revalidatePath(`/customers/${id}/report`);
    return result;
  });
}
