"use client";
import { signIn } from "next-auth/react";
import { useEffect } from "react";

/**
 * Re-reads the viewer's role from a fresh Entra id token without a click: an authorization request with
 * prompt=none (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code).
 * Entra signs the browser in silently if its session is alive, or answers login_required, which lands on /signin.
 */
export function SilentReauth() {
  useEffect(() => {
    void signIn("azure-ad", { callbackUrl: "/overview" }, { prompt: "none" });
  }, []);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <p className="text-sm text-slate-600" data-testid="silent-reauth" role="status">
        Checking your role with Microsoft…
      </p>
    </main>
  );
}
