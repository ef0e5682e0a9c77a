"use server";
import { checkCredential } from "../data/settings.ts";
import type { Result } from "../result.ts";
import { runAction, viewerOrDeny } from "./args.ts";

export type CredentialCheckResult = Result<Awaited<ReturnType<typeof checkCredential>>>;

/** App registration: can the portal get a token from the partner's own tenant right now? */
export async function checkCredentialAction(_prev: CredentialCheckResult | null, _form?: FormData): Promise<CredentialCheckResult> {
  return runAction("checkCredential", async () => {
    const viewer = await viewerOrDeny();
    return { ok: true, value: await checkCredential(viewer) };
  });
}
