"use server";
import { z } from "zod";
import { getDeviceResponse, getPackageLink, requestDeviceAction, type DeviceContextInput, type DeviceResponseView } from "../data/device-actions.ts";
import type { Result } from "../result.ts";
import { formFields, idOf, runAction, viewerOrDeny } from "./args.ts";

// The context arrives from the network: exactly one of an incident id or an alert id.
const contextArgument = z.union([z.strictObject({ incidentId: z.string().min(1).max(64) }), z.strictObject({ alertId: z.string().min(1).max(64) })]);

function contextOf(value: unknown): DeviceContextInput {
  return contextArgument.parse(value) as DeviceContextInput;
}

/** Isolate, release, scan or collect a package on a device of an incident or alert (lib/data/device-actions.ts). */
export async function requestDeviceActionAction(context: unknown, _prev: unknown, form: FormData): Promise<Result<{ id: string }>> {
  return runAction("requestDeviceAction", async () => {
    const ctx = contextOf(context);
    const fields = formFields(form);
    const viewer = await viewerOrDeny();
    return requestDeviceAction(viewer, ctx, fields);
  });
}

/** The devices and their actions, with pending states asked of Microsoft (the panel polls this while one runs). */
export async function refreshDeviceResponseAction(context: unknown): Promise<Result<DeviceResponseView>> {
  return runAction("refreshDeviceResponse", async (): Promise<Result<DeviceResponseView>> => {
    const ctx = contextOf(context);
    const viewer = await viewerOrDeny();
    const value = await getDeviceResponse(viewer, ctx, { follow: true });
    if (!value) return { ok: false, fieldErrors: {}, formError: "Not found.", code: "not_found" };
    return { ok: true, value };
  });
}

/** The investigation package's download link, fetched from Microsoft on click (never stored). */
export async function packageLinkAction(deviceActionId: unknown): Promise<Result<{ url: string }>> {
  return runAction("packageLink", async () => {
    const id = idOf(deviceActionId);
    const viewer = await viewerOrDeny();
    return getPackageLink(viewer, id);
  });
}
