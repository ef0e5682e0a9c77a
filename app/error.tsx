"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  // Expected errors carry a message meant for people; anything else is logged server side under its digest.
  const known = error.name === "AccessDeniedError";
  return (
    <main className="mx-auto max-w-xl px-4 py-24 text-center">
      <h1 className="text-2xl font-semibold">{known ? "No access" : "Something went wrong"}</h1>
      <p className="mt-2 text-slate-600">{known ? error.message : "The portal could not complete this request."}</p>
      {error.digest && <p className="mt-2 font-mono text-xs text-slate-400">Reference {error.digest}</p>}
      <button type="button" onClick={reset} className="mt-6 text-blue-800 underline">Try again</button>
    </main>
  );
}
