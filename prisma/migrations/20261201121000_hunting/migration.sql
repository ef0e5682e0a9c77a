-- Cross-tenant advanced hunting: runs (the per-user history), per-customer state, result rows, saved queries.
CREATE TABLE "HuntRun" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "createdById" UUID NOT NULL,
    "query" TEXT NOT NULL,
    "timespan" TEXT NOT NULL,
    "selection" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "total" INTEGER NOT NULL DEFAULT 0,
    "rowCount" INTEGER NOT NULL DEFAULT 0,
    "rowCap" INTEGER NOT NULL,
    "truncated" BOOLEAN NOT NULL DEFAULT false,
    "columns" JSONB NOT NULL DEFAULT '[]',
    "queueJobId" TEXT,
    "heartbeatAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "resultsExpireAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "HuntRun_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "HuntRun_createdById_createdAt_idx" ON "HuntRun"("createdById", "createdAt");
CREATE INDEX "HuntRun_status_idx" ON "HuntRun"("status");
CREATE INDEX "HuntRun_resultsExpireAt_idx" ON "HuntRun"("resultsExpireAt");

CREATE TABLE "HuntTenantRun" (
    "runId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "customerName" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "reason" TEXT,
    "message" TEXT,
    "rowCount" INTEGER NOT NULL DEFAULT 0,
    "rowsCut" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "HuntTenantRun_pkey" PRIMARY KEY ("runId","customerId")
);
CREATE INDEX "HuntTenantRun_runId_status_idx" ON "HuntTenantRun"("runId", "status");
CREATE INDEX "HuntTenantRun_customerId_idx" ON "HuntTenantRun"("customerId");
ALTER TABLE "HuntTenantRun" ADD CONSTRAINT "HuntTenantRun_runId_fkey" FOREIGN KEY ("runId") REFERENCES "HuntRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "HuntResultRow" (
    "runId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "HuntResultRow_pkey" PRIMARY KEY ("runId","customerId","seq")
);
ALTER TABLE "HuntResultRow" ADD CONSTRAINT "HuntResultRow_runId_fkey" FOREIGN KEY ("runId") REFERENCES "HuntRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "HuntQuery" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "ownerId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "query" TEXT NOT NULL,
    "shared" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "HuntQuery_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "HuntQuery_ownerId_name_key" ON "HuntQuery"("ownerId", "name");
CREATE INDEX "HuntQuery_partnerId_shared_idx" ON "HuntQuery"("partnerId", "shared");
