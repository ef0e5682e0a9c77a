import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { listStaff, sessionRules } from "@/lib/data/staff";
import { StaffTable } from "@/components/settings/staff-table";
import { PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "Users & access" };

export default async function UsersPage() {
  const viewer = await requireViewer();
  if (!can(viewer, "users:manage")) notFound();
  const staff = await listStaff(viewer);
  const rules = sessionRules(viewer);
  return (
    <>
      <PageHeader
        title="Users & access"
        description={`Partner staff who signed in. Sessions end after ${rules.maxHours} h, or ${rules.idleMinutes} min without activity; roles are read again from Entra at least every ${rules.roleRefreshMinutes} min. Responder lets an analyst run device response actions (isolate, release, scan, investigation package): granted by the Entra app role Portal.Responder or here; either grants it, each is withdrawn where it was given.`}
      />
      <StaffTable staff={staff} viewerId={viewer.userId} />
    </>
  );
}
