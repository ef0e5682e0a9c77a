"use client";
import { retryBulkJobAction } from "@/lib/actions/bulk";
import { ActionButton } from "../ui/action-button";

/** Runs the job's failed items again. */
export function RetryBulkJobButton({ jobId }: { jobId: string }) {
  return <ActionButton action={() => retryBulkJobAction(jobId)} label="Retry failed items" pendingLabel="Retrying…" variant="secondary" testId="bulk-retry" />;
}
