"use server";
import { revalidatePath } from "next/cache";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { serverConfig } from "../config/env.ts";
import { CONNECT_COOKIE, disconnectDelegated, setWriteMode, startDelegatedConnect } from "../data/delegated.ts";
import type { Result } from "../result.ts";
import { formFields, idOf, runAction, viewerOrDeny } from "./args.ts";

/** User context (issue 13): connect to / disconnect from a customer tenant, and the customer's write mode. */

export async function connectDelegatedAction(customerId: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  let url: string | null = null;
  const result = await runAction("connectDelegated", async (): Promise<Result> => {
    const id = idOf(customerId);
    const viewer = await viewerOrDeny();
    const started = await startDelegatedConnect(viewer, id);
    if (!started.ok) return { ok: false, fieldErrors: {}, formError: started.formError, code: started.code };
    // The PKCE verifier and state wait in a sealed, HttpOnly cookie scoped to the callback, for ten minutes.
    (await cookies()).set(CONNECT_COOKIE, started.value.cookie, {
      httpOnly: true,
      sameSite: "lax",
      secure: serverConfig().appUrl.startsWith("https://"),
      path: "/connect",
      maxAge: 600,
    });
    url = started.value.url;
    return { ok: true };
  });
  if (result.ok && url) redirect(url);
  return result;
}

export async function disconnectDelegatedAction(customerId: string, _prev: Result | null, _form?: FormData): Promise<Result> {
  return runAction("disconnectDelegated", async () => {
    const id = idOf(customerId);
    const viewer = await viewerOrDeny();
    const result = await disconnectDelegated(viewer, id);
    if (result.ok) revalidatePath(`/customers/${id}/connect`);
    return result;
  });
}

export async function setWriteModeAction(customerId: string, _prev: Result | null, form: FormData): Promise<Result> {
  return runAction("setWriteMode", async () => {
    const id = idOf(customerId);
    const fields = formFields(form);
    const viewer = await viewerOrDeny();
    const result = await setWriteMode(viewer, id, fields);
    if (result.ok) revalidatePath(`/customers/${id}`);
    return result;
  });
}
