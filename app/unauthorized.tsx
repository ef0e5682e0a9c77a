"use client";
// A client component, as not-found.tsx and forbidden.tsx: without this file every page's React payload carried
// Next's default 401 page, markup and inline styles, twice (root and portal layouts; issue #12 §1).
import Link from "next/link";

/** Rendered by unauthorized() (401): not signed in. */
export default function Unauthorized() {
  return (
    <main className="mx-auto max-w-xl px-4 py-24 text-center">
      <h1 className="text-2xl font-semibold">Sign in first</h1>
      <p className="mt-2 text-slate-600">This page is for signed-in partner staff.</p>
      <Link href="/signin" className="mt-6 inline-block text-blue-800 underline">
        Sign in
      </Link>
    </main>
  );
}
