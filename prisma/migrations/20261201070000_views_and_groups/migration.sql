-- Saved views of the queues (personal or shared with the partner's staff), and indexes for the audit log's filters
-- by action and by actor (the admin page pages through them newest first).
CREATE TABLE "SavedView" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "ownerId" UUID NOT NULL,
    "queue" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "shared" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SavedView_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "SavedView_ownerId_queue_name_key" ON "SavedView"("ownerId", "queue", "name");
CREATE INDEX "SavedView_partnerId_queue_shared_idx" ON "SavedView"("partnerId", "queue", "shared");
ALTER TABLE "SavedView" ADD CONSTRAINT "SavedView_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SavedView" ADD CONSTRAINT "SavedView_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "PortalUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE INDEX "AuditEntry_action_createdAt_idx" ON "AuditEntry"("action", "createdAt");
CREATE INDEX "AuditEntry_actor_createdAt_idx" ON "AuditEntry"("actor", "createdAt");
