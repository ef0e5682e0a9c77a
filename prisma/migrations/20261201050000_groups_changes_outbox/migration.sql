-- Customer groups (analysts may be assigned a whole group), the observed change history of incidents with the
-- acknowledgement and resolution times SLA clocks read, and the notifications outbox written with the changes.
ALTER TABLE "Incident" ADD COLUMN "acknowledgedAt" TIMESTAMPTZ(3), ADD COLUMN "resolvedAt" TIMESTAMPTZ(3);

CREATE TABLE "CustomerGroup" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerGroup_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "CustomerGroup_partnerId_name_key" ON "CustomerGroup"("partnerId", "name");
ALTER TABLE "CustomerGroup" ADD CONSTRAINT "CustomerGroup_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "CustomerGroupMember" (
    "groupId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerGroupMember_pkey" PRIMARY KEY ("groupId","customerId")
);
CREATE INDEX "CustomerGroupMember_customerId_idx" ON "CustomerGroupMember"("customerId");
ALTER TABLE "CustomerGroupMember" ADD CONSTRAINT "CustomerGroupMember_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "CustomerGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CustomerGroupMember" ADD CONSTRAINT "CustomerGroupMember_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "AnalystGroupAssignment" (
    "userId" UUID NOT NULL,
    "groupId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AnalystGroupAssignment_pkey" PRIMARY KEY ("userId","groupId")
);
CREATE INDEX "AnalystGroupAssignment_groupId_idx" ON "AnalystGroupAssignment"("groupId");
ALTER TABLE "AnalystGroupAssignment" ADD CONSTRAINT "AnalystGroupAssignment_userId_fkey" FOREIGN KEY ("userId") REFERENCES "PortalUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AnalystGroupAssignment" ADD CONSTRAINT "AnalystGroupAssignment_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "CustomerGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "IncidentChange" (
    "id" BIGSERIAL NOT NULL,
    "incidentId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "field" TEXT NOT NULL,
    "oldValue" TEXT,
    "newValue" TEXT,
    "origin" TEXT NOT NULL,
    "actor" TEXT,
    "observedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "IncidentChange_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "IncidentChange_incidentId_observedAt_idx" ON "IncidentChange"("incidentId", "observedAt");
CREATE INDEX "IncidentChange_customerId_observedAt_idx" ON "IncidentChange"("customerId", "observedAt");
ALTER TABLE "IncidentChange" ADD CONSTRAINT "IncidentChange_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "NotificationEvent" (
    "id" BIGSERIAL NOT NULL,
    "partnerId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "incidentId" UUID,
    "kind" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "dedupeKey" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatchedAt" TIMESTAMPTZ(3),

    CONSTRAINT "NotificationEvent_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "NotificationEvent_dedupeKey_key" ON "NotificationEvent"("dedupeKey");
CREATE INDEX "NotificationEvent_dispatchedAt_id_idx" ON "NotificationEvent"("dispatchedAt", "id");
CREATE INDEX "NotificationEvent_customerId_createdAt_idx" ON "NotificationEvent"("customerId", "createdAt");

-- Incidents stored before this change: an incident already in an acknowledged (or resolved) state counts from the
-- earlier of its last update and its last sync, the same rule the upsert applies to a first observation.
UPDATE "Incident" SET
  "acknowledgedAt" = CASE WHEN status <> 'active' OR "assignedTo" IS NOT NULL OR COALESCE(classification, 'unknown') <> 'unknown'
    THEN LEAST("lastUpdateTime", "syncedAt") END,
  "resolvedAt" = CASE WHEN status = 'resolved' THEN LEAST("lastUpdateTime", "syncedAt") END;
