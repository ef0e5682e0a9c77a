"use server";
import { revalidatePath } from "next/cache";
import {
  createChannel,
  createRule,
  createSuppression,
  deleteChannel,
  deleteRule,
  endSuppression,
  setChannelEnabled,
  setRuleEnabled,
  testChannel,
  updateRule,
} from "../data/notifications.ts";
import type { Result } from "../result.ts";
import { formFields, formValues, idOf, runAction, viewerOrDeny } from "./args.ts";

/**
 * Notification settings (partner admins): channels, Send test, rules, suppressions. lib/data/notifications.ts
 * checks `notifications:manage` and scopes every write to the viewer's partner.
 */
const PAGE = "/settings/notifications";

export type CreateChannelResult = Result<{ id: string; signingSecret?: string }>;

export async function createChannelAction(_prev: CreateChannelResult | null, form: FormData): Promise<CreateChannelResult> {
  return runAction("createChannel", async () => {
    const viewer = await viewerOrDeny();
    const result = await createChannel(viewer, formFields(form));
    if (result.ok) revalidatePath(PAGE);
    return result;
  });
}

export async function deleteChannelAction(channelId: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("deleteChannel", async () => {
    const id = idOf(channelId);
    const viewer = await viewerOrDeny();
    const result = await deleteChannel(viewer, id);
    if (result.ok) revalidatePath(PAGE);
    return result;
  });
}

export async function setChannelEnabledAction(channelId: string, enabled: boolean, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("setChannelEnabled", async () => {
    const id = idOf(channelId);
    const viewer = await viewerOrDeny();
    const result = await setChannelEnabled(viewer, id, enabled === true);
    if (result.ok) revalidatePath(PAGE);
    return result;
  });
}

export async function testChannelAction(channelId: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("testChannel", async () => {
    const id = idOf(channelId);
    const viewer = await viewerOrDeny();
    const result = await testChannel(viewer, id);
    return result.ok ? { ok: true, message: result.message } : result;
  });
}

export async function createRuleAction(_prev: Result | null, form: FormData): Promise<Result> {
  return runAction("createRule", async () => {
    const viewer = await viewerOrDeny();
    const fields = formFields(form);
    const result = await createRule(viewer, {
      ...fields,
      kinds: formValues(form, "kinds"),
      customerIds: formValues(form, "customerIds"),
      groupIds: formValues(form, "groupIds"),
      channelIds: formValues(form, "channelIds"),
    });
    if (result.ok) revalidatePath(PAGE);
    return result.ok ? { ok: true, message: result.message } : result;
  });
}

/** Saves an edited rule (the Edit form is the create form, pre-filled, bound to the rule's id). */
export async function updateRuleAction(ruleId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("updateRule", async () => {
    const id = idOf(ruleId);
    const viewer = await viewerOrDeny();
    const result = await updateRule(viewer, id, {
      ...formFields(form),
      kinds: formValues(form, "kinds"),
      customerIds: formValues(form, "customerIds"),
      groupIds: formValues(form, "groupIds"),
      channelIds: formValues(form, "channelIds"),
    });
    if (result.ok) revalidatePath(PAGE);
    return result.ok ? { ok: true, message: result.message } : result;
  });
}

export async function setRuleEnabledAction(ruleId: string, enabled: boolean, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("setRuleEnabled", async () => {
    const id = idOf(ruleId);
    const viewer = await viewerOrDeny();
    const result = await setRuleEnabled(viewer, id, enabled === true);
    if (result.ok) revalidatePath(PAGE);
    return result;
  });
}

export async function deleteRuleAction(ruleId: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("deleteRule", async () => {
    const id = idOf(ruleId);
    const viewer = await viewerOrDeny();
    const result = await deleteRule(viewer, id);
    if (result.ok) revalidatePath(PAGE);
    return result;
  });
}

export async function createSuppressionAction(_prev: Result | null, form: FormData): Promise<Result> {
  return runAction("createSuppression", async () => {
    const viewer = await viewerOrDeny();
    const result = await createSuppression(viewer, {
      ...formFields(form),
      customerIds: formValues(form, "customerIds"),
      groupIds: formValues(form, "groupIds"),
    });
    if (result.ok) {
      revalidatePath(PAGE);
      revalidatePath("/incidents");
    }
    return result.ok ? { ok: true, message: result.message } : result;
  });
}

export async function endSuppressionAction(suppressionId: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("endSuppression", async () => {
    const id = idOf(suppressionId);
    const viewer = await viewerOrDeny();
    const result = await endSuppression(viewer, id);
    if (result.ok) {
      revalidatePath(PAGE);
      revalidatePath("/incidents");
    }
    return result;
  });
}
