import Link from "next/link";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { SignOutButton } from "@/components/sign-out-button";
import { MY_QUEUE_HREF } from "@/lib/data/views";

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const viewer = await requireViewer();
  const settings = [
    { href: "/settings", label: "App registration", allowed: can(viewer, "settings:read") },
    { href: "/settings/notifications", label: "Notifications", allowed: can(viewer, "notifications:manage") },
    { href: "/settings/sla", label: "SLA policies", allowed: can(viewer, "sla:manage") },
    { href: "/settings/users", label: "Users & access", allowed: can(viewer, "users:manage") },
    { href: "/settings/groups", label: "Groups", allowed: can(viewer, "customers:assign") },
    { href: "/settings/audit", label: "Audit log", allowed: can(viewer, "audit:read") },
  ].filter((l) => l.allowed);
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white print:hidden">
        <div className="mx-auto flex max-w-[96rem] items-center justify-between gap-6 px-6 py-3">
          <div className="flex items-center gap-8">
            <Link href="/overview" className="whitespace-nowrap text-sm font-bold tracking-tight text-blue-800">
              Defender Partner Portal
            </Link>
            <nav className="flex gap-5 whitespace-nowrap text-sm font-medium text-slate-600" aria-label="Main">
              <Link href="/overview" className="hover:text-slate-900">
                Overview
              </Link>
              <Link href="/incidents" className="hover:text-slate-900">
                Incidents
              </Link>
              <Link href={MY_QUEUE_HREF} className="hover:text-slate-900" data-testid="nav-my-queue">
                My queue
              </Link>
              <Link href="/alerts" className="hover:text-slate-900">
                Alerts
              </Link>
              {can(viewer, "hunting:run") && (
                <Link href="/hunting" className="hover:text-slate-900" data-testid="nav-hunting">
                  Hunting
                </Link>
              )}
              <Link href="/customers" className="hover:text-slate-900">
                Customers
              </Link>
            </nav>
          </div>
          <div className="flex items-center gap-4 whitespace-nowrap text-sm">
            <span className="text-slate-600">
              <span data-testid="viewer-name" className="font-medium text-slate-900">
                {viewer.name}
              </span>{" "}
              <span data-testid="viewer-role" className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">
                {viewer.role === "ADMIN" ? "Partner admin" : "Analyst"}
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
              <Link key={l.href} href={l.href} className="whitespace-nowrap hover:text-slate-900">
                {l.label}
              </Link>
            ))}
          </nav>
        )}
      </header>
      <main className="mx-auto max-w-[96rem] px-6 py-8 print:max-w-none print:p-0">{children}</main>
    </div>
  );
}
