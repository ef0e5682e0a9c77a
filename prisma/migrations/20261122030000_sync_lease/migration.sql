-- A run's lease: workers refresh heartbeatAt while they sync; the scheduler recovers runs whose worker died.
ALTER TABLE "SyncState" ADD COLUMN "heartbeatAt" TIMESTAMPTZ(3);
ALTER TABLE "SyncState" ADD COLUMN "jobId" TEXT;

-- Statuses set by a sync failure are cleared by a later run that proves consent again.
ALTER TABLE "Customer" ADD COLUMN "statusFromSync" BOOLEAN NOT NULL DEFAULT false;
