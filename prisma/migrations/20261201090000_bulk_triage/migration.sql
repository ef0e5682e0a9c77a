-- Bulk triage: a job (who, what, the selection, counts) and one item per incident with its outcome.
CREATE TABLE "BulkJob" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "createdById" UUID NOT NULL,
    "selection" TEXT NOT NULL,
    "filter" TEXT,
    "change" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "dropped" INTEGER NOT NULL DEFAULT 0,
    "runs" INTEGER NOT NULL DEFAULT 0,
    "queueJobId" TEXT,
    "heartbeatAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "BulkJob_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "BulkJob_createdById_createdAt_idx" ON "BulkJob"("createdById", "createdAt");
CREATE INDEX "BulkJob_partnerId_createdAt_idx" ON "BulkJob"("partnerId", "createdAt");
CREATE INDEX "BulkJob_status_idx" ON "BulkJob"("status");

CREATE TABLE "BulkJobItem" (
    "jobId" UUID NOT NULL,
    "incidentId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "sourceId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "message" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "sentAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "BulkJobItem_pkey" PRIMARY KEY ("jobId","incidentId")
);
CREATE INDEX "BulkJobItem_jobId_status_idx" ON "BulkJobItem"("jobId", "status");
CREATE INDEX "BulkJobItem_customerId_idx" ON "BulkJobItem"("customerId");
ALTER TABLE "BulkJobItem" ADD CONSTRAINT "BulkJobItem_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "BulkJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;
