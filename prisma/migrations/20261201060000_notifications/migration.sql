-- Notifications (issue 10 §2): channels (secrets sealed with AES-256-GCM), rules, suppressions, and one delivery row
-- per (rule, channel, event) with a unique key, so an event is delivered exactly once per rule and channel.
CREATE TABLE "NotificationChannel" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "recipients" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "secretSealed" TEXT,
    "targetHint" TEXT NOT NULL DEFAULT '',
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "NotificationChannel_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "NotificationChannel_partnerId_name_key" ON "NotificationChannel"("partnerId", "name");

CREATE TABLE "NotificationRule" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "kinds" TEXT[],
    "minSeverity" TEXT NOT NULL DEFAULT 'informational',
    "scope" TEXT NOT NULL DEFAULT 'all',
    "customerIds" UUID[] DEFAULT ARRAY[]::UUID[],
    "groupIds" UUID[] DEFAULT ARRAY[]::UUID[],
    "channelIds" UUID[] DEFAULT ARRAY[]::UUID[],
    "unassignedMinutes" INTEGER,
    "syncFailingMinutes" INTEGER,
    "quietStart" TEXT,
    "quietEnd" TEXT,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "digestMinutes" INTEGER,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "NotificationRule_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "NotificationRule_partnerId_name_key" ON "NotificationRule"("partnerId", "name");

CREATE TABLE "NotificationSuppression" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "customerIds" UUID[] DEFAULT ARRAY[]::UUID[],
    "groupIds" UUID[] DEFAULT ARRAY[]::UUID[],
    "titleContains" TEXT,
    "until" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "createdById" UUID,
    "createdByName" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMPTZ(3),

    CONSTRAINT "NotificationSuppression_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "NotificationSuppression_partnerId_until_idx" ON "NotificationSuppression"("partnerId", "until");

CREATE TABLE "NotificationDelivery" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "ruleId" UUID NOT NULL,
    "channelId" UUID NOT NULL,
    "eventId" BIGINT,
    "eventKind" TEXT NOT NULL,
    "customerId" UUID NOT NULL,
    "incidentId" UUID,
    "key" TEXT NOT NULL,
    "bundleKey" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "heldReason" TEXT,
    "suppressionId" UUID,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" TIMESTAMPTZ(3),
    "lastStatusCode" INTEGER,
    "latencyMs" INTEGER,
    "lastError" TEXT,
    "eventAt" TIMESTAMPTZ(3) NOT NULL,
    "deliveredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "NotificationDelivery_key_key" ON "NotificationDelivery"("key");
CREATE INDEX "NotificationDelivery_status_nextAttemptAt_idx" ON "NotificationDelivery"("status", "nextAttemptAt");
CREATE INDEX "NotificationDelivery_ruleId_createdAt_idx" ON "NotificationDelivery"("ruleId", "createdAt");
CREATE INDEX "NotificationDelivery_bundleKey_idx" ON "NotificationDelivery"("bundleKey");
