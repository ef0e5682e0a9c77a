"use client";
// A client component: every page's React payload names it instead of carrying its markup (issue #12 §1).
import Link from "next/link";

/** Rendered by forbidden() (403): signed in, but this page is not for this role. */
export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl px-4 py-24 text-center" data-testid="forbidden">
      <h1 className="text-2xl font-semibold">No access</h1>
      <p className="mt-2 text-slate-600">This page is for partner admins. Ask one of them if you need what it offers.</p>
      <Link href="/" className="mt-6 inline-block text-blue-800 underline">
        Back to the portal
      </Link>
    </main>
  );
}
