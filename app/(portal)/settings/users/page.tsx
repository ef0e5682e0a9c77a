import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { serverConfig } from "@/lib/config/env";
import { listStaff } from "@/lib/data/staff";
import { StaffTable } from "@/components/settings/staff-table";
import { PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "Users & access" };

export default async function UsersPage() {
  const viewer = await requireViewer();
  if (!can(viewer, "users:manage")) notFound();
  const staff = await listStaff(viewer);
  const { maxAgeMs, idleMs, roleRefreshMs } = serverConfig().sessions;
  return (
    <>
      <PageHeader
        title="Users & access"
        description={`Partner staff who signed in. Sessions end after ${maxAgeMs / 3_600_000} h, or ${idleMs / 60_000} min without activity; roles are read again from Entra at least every ${roleRefreshMs / 60_000} min.`}
      />
      <StaffTable staff={staff} viewerId={viewer.userId} />
    </>
  );
}
