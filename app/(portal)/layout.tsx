import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { PortalHeader } from "@/components/portal-header";
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
      <PortalHeader
        name={viewer.name}
        roleLabel={viewer.role === "ADMIN" ? "Partner admin" : "Analyst"}
        myQueueHref={MY_QUEUE_HREF}
        canHunt={can(viewer, "hunting:run")}
        settings={settings.map(({ href, label }) => ({ href, label }))}
      />
      <main className="mx-auto max-w-[96rem] px-6 py-8 print:max-w-none print:p-0">{children}</main>
    </div>
  );
}
