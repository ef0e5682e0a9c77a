-- Device response actions (isolate, release, antivirus scan, investigation package) asked of Defender for Endpoint.
CREATE TABLE "DeviceAction" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "incidentId" UUID,
    "alertId" UUID,
    "machineId" TEXT NOT NULL,
    "deviceName" TEXT,
    "type" TEXT NOT NULL,
    "options" JSONB NOT NULL DEFAULT '{}',
    "comment" TEXT NOT NULL,
    "requestedById" UUID NOT NULL,
    "requestedByEmail" TEXT NOT NULL,
    "microsoftActionId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'Sending',
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastCheckedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "DeviceAction_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "DeviceAction_customerId_machineId_createdAt_idx" ON "DeviceAction"("customerId", "machineId", "createdAt");
CREATE INDEX "DeviceAction_status_idx" ON "DeviceAction"("status");
