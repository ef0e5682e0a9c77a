-- SLA clocks: policies (partner default + per customer group), the deadlines stored on each incident for the queue's
-- filters and sort, the customers whose deadlines await a recompute, and the monthly report's recipients.
ALTER TABLE "Incident" ADD COLUMN "slaAckDueAt" TIMESTAMPTZ(3), ADD COLUMN "slaResolveDueAt" TIMESTAMPTZ(3), ADD COLUMN "slaNextDueAt" TIMESTAMPTZ(3);
CREATE INDEX "Incident_slaNextDueAt_idx" ON "Incident"("slaNextDueAt");
CREATE INDEX "Incident_customerId_slaNextDueAt_idx" ON "Incident"("customerId", "slaNextDueAt");

ALTER TABLE "Customer" ADD COLUMN "reportRecipients" TEXT[] DEFAULT ARRAY[]::TEXT[], ADD COLUMN "slaStaleSince" TIMESTAMPTZ(3);
-- Every stored incident gets its deadlines from the default policy at the SLA job's first run.
UPDATE "Customer" SET "slaStaleSince" = CURRENT_TIMESTAMP;

CREATE TABLE "SlaPolicy" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "groupId" UUID,
    "targets" JSONB NOT NULL,
    "calendar" JSONB,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedBy" TEXT,

    CONSTRAINT "SlaPolicy_pkey" PRIMARY KEY ("id")
);
-- NULLS NOT DISTINCT: one default policy (groupId null) per partner, so saving it is one INSERT … ON CONFLICT.
CREATE UNIQUE INDEX "SlaPolicy_partnerId_groupId_key" ON "SlaPolicy"("partnerId", "groupId") NULLS NOT DISTINCT;
ALTER TABLE "SlaPolicy" ADD CONSTRAINT "SlaPolicy_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "CustomerGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;
