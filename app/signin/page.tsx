import { redirect } from "next/navigation";
import { getViewer } from "@/lib/auth/session";
import { SignInButton } from "@/components/sign-in-button";
import { SilentReauth } from "@/components/silent-reauth";

export const metadata = { title: "Sign in" };

const NOT_SIGNED_IN =
  "Microsoft did not sign you in to this portal. It is only for the partner's own staff: an account of another organization is refused. If you were sent a consent link, open that link instead; otherwise try again.";

const ERRORS: Record<string, string> = {
  WrongTenant:
    "This portal is for the partner's own staff. Your account belongs to another organization, so it cannot sign in here. If you were sent a consent link, open that link instead.",
  NoRole: "You signed in, but you have no role in this portal yet. Ask a partner admin to assign you the Portal.Admin or Portal.Analyst app role.",
  AccessDenied: "Sign-in was refused.",
  OAuthCallback: NOT_SIGNED_IN,
  Callback: NOT_SIGNED_IN,
  SessionRequired: "Please sign in.",
  Disabled: "A partner admin has disabled your access to this portal. Ask a partner admin to enable it again.",
  SessionIdle: "You were signed out because the portal was not used for a while. Sign in again.",
  SessionExpired: "Your session reached its maximum length. Sign in again.",
  SessionEnded: "A partner admin ended your session. Sign in again.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string | string[]; refresh?: string | string[] }> }) {
  if (await getViewer()) redirect("/overview");
  const { error, refresh } = await searchParams;
  // Role refresh: the session's role is due to be read again from Entra. Entra's SSO answers prompt=none without
  // a page when the browser is still signed in there; otherwise it answers login_required and this page stays.
  if (refresh === "1" && !error) return <SilentReauth />;
  const code = typeof error === "string" ? error : undefined;
  const message = code ? (ERRORS[code] ?? "Sign-in failed. Try again.") : null;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200">
        <h1 className="text-xl font-semibold">Defender Partner Portal</h1>
        <p className="mt-2 text-sm text-slate-600">Sign in with your organization&apos;s Microsoft account.</p>
        {message && (
          <p role="alert" data-testid="signin-error" className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-200">
            {message}
          </p>
        )}
        <div className="mt-6">
          <SignInButton />
        </div>
      </div>
    </main>
  );
}
