"use client";
import { parseExpectedDigest } from "@/lib/errors";

/**
 * Production builds withhold a server error's message; expected errors name their kind and code in the digest
 * (lib/errors.ts), so a person still reads what happened. Anything else is logged server side under its digest.
 */
const HEADLINES = {
  access_denied: { title: "No access", text: "You do not have access to this. If you think you should, ask a partner admin." },
  microsoft: {
    title: "Microsoft refused the request",
    text: "Microsoft did not allow or could not complete this request for the customer's tenant. Check the customer's consent and permissions, then try again.",
  },
  app: { title: "This could not be done", text: "The portal could not complete this request as asked." },
} as const;

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const expected = parseExpectedDigest(error.digest);
  const copy = expected ? HEADLINES[expected.kind] : null;
  return (
    <main className="mx-auto max-w-xl px-4 py-24 text-center" data-testid="error-page" data-kind={expected?.kind ?? "unexpected"}>
      <h1 className="text-2xl font-semibold">{copy?.title ?? "Something went wrong"}</h1>
      <p className="mt-2 text-slate-600">{copy?.text ?? "The portal could not complete this request."}</p>
      {expected?.code && expected.kind !== "access_denied" && <p className="mt-2 font-mono text-xs text-slate-500">Code {expected.code}</p>}
      {!expected && error.digest && <p className="mt-2 font-mono text-xs text-slate-400">Reference {error.digest}</p>}
      <button type="button" onClick={reset} className="mt-6 text-blue-800 underline">
        Try again
      </button>
    </main>
  );
}
