-- CreateTable
CREATE TABLE "AnalystAssignment" (
    "userId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AnalystAssignment_pkey" PRIMARY KEY ("userId","customerId")
);

-- CreateTable
CREATE TABLE "Incident" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "classification" TEXT,
    "determination" TEXT,
    "assignedTo" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "alertCount" INTEGER NOT NULL DEFAULT 0,
    "createdTime" TIMESTAMPTZ(3) NOT NULL,
    "lastUpdateTime" TIMESTAMPTZ(3) NOT NULL,
    "webUrl" TEXT,
    "payload" JSONB NOT NULL,
    "syncedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Incident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "incidentId" UUID,
    "source" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "incidentSourceId" TEXT,
    "title" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "category" TEXT,
    "serviceSource" TEXT,
    "detectionSource" TEXT,
    "classification" TEXT,
    "determination" TEXT,
    "assignedTo" TEXT,
    "createdTime" TIMESTAMPTZ(3) NOT NULL,
    "lastUpdateTime" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "syncedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncState" (
    "customerId" UUID NOT NULL,
    "feed" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "cursor" TIMESTAMPTZ(3),
    "running" BOOLEAN NOT NULL DEFAULT false,
    "runStartedAt" TIMESTAMPTZ(3),
    "progress" TEXT,
    "lastSuccessAt" TIMESTAMPTZ(3),
    "lastErrorAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "lastErrorCode" TEXT,
    "rowsChanged" INTEGER NOT NULL DEFAULT 0,
    "apiCalls" INTEGER NOT NULL DEFAULT 0,
    "nextRunAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SyncState_pkey" PRIMARY KEY ("customerId","feed")
);

-- CreateIndex
CREATE INDEX "AnalystAssignment_customerId_idx" ON "AnalystAssignment"("customerId");

-- CreateIndex
CREATE INDEX "Incident_lastUpdateTime_idx" ON "Incident"("lastUpdateTime");

-- CreateIndex
CREATE INDEX "Incident_customerId_lastUpdateTime_idx" ON "Incident"("customerId", "lastUpdateTime");

-- CreateIndex
CREATE INDEX "Incident_status_severity_lastUpdateTime_idx" ON "Incident"("status", "severity", "lastUpdateTime");

-- CreateIndex
CREATE UNIQUE INDEX "Incident_customerId_source_sourceId_key" ON "Incident"("customerId", "source", "sourceId");

-- CreateIndex
CREATE INDEX "Alert_lastUpdateTime_idx" ON "Alert"("lastUpdateTime");

-- CreateIndex
CREATE INDEX "Alert_customerId_lastUpdateTime_idx" ON "Alert"("customerId", "lastUpdateTime");

-- CreateIndex
CREATE INDEX "Alert_incidentId_idx" ON "Alert"("incidentId");

-- CreateIndex
CREATE UNIQUE INDEX "Alert_customerId_source_sourceId_key" ON "Alert"("customerId", "source", "sourceId");

-- CreateIndex
CREATE INDEX "SyncState_nextRunAt_idx" ON "SyncState"("nextRunAt");

-- AddForeignKey
ALTER TABLE "AnalystAssignment" ADD CONSTRAINT "AnalystAssignment_userId_fkey" FOREIGN KEY ("userId") REFERENCES "PortalUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalystAssignment" ADD CONSTRAINT "AnalystAssignment_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Incident" ADD CONSTRAINT "Incident_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncState" ADD CONSTRAINT "SyncState_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
