import Link from "next/link";
import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { getBulkJob } from "@/lib/data/bulk";
import { BulkJobDetail } from "@/components/bulk/job-view";
import { PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "Bulk job" };

export default async function BulkJobPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const job = await getBulkJob(viewer, (await params).id);
  if (!job) notFound();
  return (
    <>
      <PageHeader
        title="Bulk triage job"
        description="Each incident is updated at Microsoft, per customer within its API quota."
        actions={
          <Link href="/incidents/bulk" className="text-sm text-blue-800 hover:underline">
            All bulk jobs
          </Link>
        }
      />
      <BulkJobDetail job={job} canAskForPermissions={can(viewer, "customers:onboard")} />
    </>
  );
}
