import Link from "next/link";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { SignOutButton } from "@/components/sign-out-button";
import { MY_QUEUE_HREF } from "@/lib/data/views";

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const viewer = await requireViewer();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white print:hidden">
        <div className="mx-auto flex max-w-7xl items-center justify-between gap-6 px-6 py-3">
          <div className="flex items-center gap-8">
            <Link href="/overview" className="text-sm font-bold tracking-tight text-blue-800">
              Defender Partner Portal
            </Link>
            <nav className="flex gap-5 text-sm font-medium text-slate-600" aria-label="Main">
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
              <Link href="/customers" className="hover:text-slate-900">
                Customers
              </Link>
              {can(viewer, "settings:read") && (
                <Link href="/settings" className="hover:text-slate-900">
                  App registration
                </Link>
              )}
              {can(viewer, "notifications:manage") && (
                <Link href="/settings/notifications" className="hover:text-slate-900">
                  Notifications
                </Link>
              )}
              {can(viewer, "sla:manage") && (
                <Link href="/settings/sla" className="hover:text-slate-900">
                  SLA policies
                </Link>
              )}
              {can(viewer, "users:manage") && (
                <Link href="/settings/users" className="hover:text-slate-900">
                  Users &amp; access
                </Link>
              )}
              {can(viewer, "customers:assign") && (
                <Link href="/settings/groups" className="hover:text-slate-900">
                  Groups
                </Link>
              )}
              {can(viewer, "audit:read") && (
                <Link href="/settings/audit" className="hover:text-slate-900">
                  Audit log
                </Link>
              )}
            </nav>
          </div>
          <div className="flex items-center gap-4 text-sm">
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
      </header>
      <main className="mx-auto max-w-7xl px-6 py-8 print:max-w-none print:p-0">{children}</main>
    </div>
  );
}
