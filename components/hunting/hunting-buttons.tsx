"use client";
import { deleteHuntQueryAction, retryHuntAction } from "@/lib/actions/hunting";
import { ActionButton } from "../ui/action-button";

export function RetryHuntButton({ runId }: { runId: string }) {
  return (
    <ActionButton action={() => retryHuntAction(runId)} label="Ask failed customers again" pendingLabel="Queuing…" variant="secondary" testId="hunt-retry" />
  );
}

export function DeleteHuntQueryButton({ queryId }: { queryId: string }) {
  return <ActionButton action={() => deleteHuntQueryAction(queryId)} label="Delete" pendingLabel="Deleting…" variant="danger" testId="hunt-query-delete" />;
}
