-- Sessions live in PostgreSQL (issue #9, section 3): sign-out, disable and expiry hold on every web instance.
ALTER TABLE "PortalUser" ADD COLUMN "disabledAt" TIMESTAMPTZ(3);
ALTER TABLE "PortalUser" ADD COLUMN "disabledById" UUID;

CREATE TABLE "PortalSession" (
    "id" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "absoluteExpiresAt" TIMESTAMPTZ(3) NOT NULL,
    "roleCheckedAt" TIMESTAMPTZ(3) NOT NULL,
    "endedAt" TIMESTAMPTZ(3),
    "endedReason" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "PortalSession_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "PortalSession_userId_endedAt_idx" ON "PortalSession"("userId", "endedAt");

ALTER TABLE "PortalSession" ADD CONSTRAINT "PortalSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "PortalUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;
