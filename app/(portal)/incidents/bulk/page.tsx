import Link from "next/link";
import { requireViewer } from "@/lib/auth/session";
import { listBulkJobs } from "@/lib/data/bulk";
import { BulkJobList } from "@/components/bulk/job-view";
import { PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "Bulk jobs" };

export default async function BulkJobsPage() {
  const viewer = await requireViewer();
  const jobs = await listBulkJobs(viewer);
  return (
    <>
      <PageHeader
        title="Bulk jobs"
        description={viewer.role === "ADMIN" ? "Recent bulk triage jobs of every analyst." : "Your recent bulk triage jobs."}
        actions={
          <Link href="/incidents" className="text-sm text-blue-800 hover:underline">
            Back to incidents
          </Link>
        }
      />
      <BulkJobList jobs={jobs} />
    </>
  );
}
