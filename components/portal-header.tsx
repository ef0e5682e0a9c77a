"use client";
import Link from "next/link";
import { SignOutButton } from "./sign-out-button";

/**
 * The portal's header: the analyst's working links, who is signed in, and the partner-wide settings the viewer may
 * open (decided on the server by can(), app/(portal)/layout.tsx). A client component so that every page's React
 * payload carries these few values instead of a second copy of the header's markup (issue #12 §1).
 */
export function PortalHeader({
  name,
  roleLabel,
  myQueueHref,
  canHunt,
  settings,
}: {
  name: string;
  roleLabel: string;
  myQueueHref: string;
  canHunt: boolean;
  settings: { href: string; label: string }[];
}) {
  return (
    <header className="portal-header">
      <div>
        <div className="flex items-center gap-8">
          <Link href="/overview" className="brand">
            Defender Partner Portal
          </Link>
          <nav className="main-nav" aria-label="Main">
            <Link href="/overview" className="nav-link">
              Overview
            </Link>
            <Link href="/incidents" className="nav-link">
              Incidents
            </Link>
            <Link href={myQueueHref} className="nav-link" data-testid="nav-my-queue">
              My queue
            </Link>
            <Link href="/alerts" className="nav-link">
              Alerts
            </Link>
            {canHunt && (
              <Link href="/hunting" className="nav-link" data-testid="nav-hunting">
                Hunting
              </Link>
            )}
            <Link href="/customers" className="nav-link">
              Customers
            </Link>
          </nav>
        </div>
        <div className="flex items-center gap-4 whitespace-nowrap text-sm">
          <span className="text-slate-600">
            <span data-testid="viewer-name" className="font-medium text-slate-900">
              {name}
            </span>{" "}
            <span data-testid="viewer-role" className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">
              {roleLabel}
            </span>
          </span>
          <SignOutButton />
        </div>
      </div>
      {settings.length > 0 && (
        // Partner-wide settings on a row of their own: the analyst's working links above stay on one line.
        <nav className="mx-auto flex max-w-[96rem] flex-wrap gap-x-5 gap-y-1 px-6 pb-2 text-xs font-medium text-slate-500" aria-label="Settings">
          <span className="uppercase tracking-wide text-slate-400">Settings</span>
          {settings.map((l) => (
            <Link key={l.href} href={l.href} className="nav-link">
              {l.label}
            </Link>
          ))}
        </nav>
      )}
    </header>
  );
}
