-- CreateEnum
CREATE TYPE "PortalRole" AS ENUM ('ADMIN', 'ANALYST');

-- CreateEnum
CREATE TYPE "Region" AS ENUM ('us', 'eu', 'uk', 'au', 'swa', 'ina');

-- CreateEnum
CREATE TYPE "CustomerStatus" AS ENUM ('PENDING', 'CONSENTED', 'DECLINED', 'REVOKED', 'ERROR');

-- CreateEnum
CREATE TYPE "ConsentVia" AS ENUM ('LINK', 'MANUAL');

-- CreateEnum
CREATE TYPE "ConsentOutcome" AS ENUM ('CONSENTED', 'DECLINED', 'NOT_ADMIN', 'WRONG_DIRECTORY', 'PERMISSIONS_MISSING', 'VERIFICATION_FAILED', 'REFUSED');

-- CreateTable
CREATE TABLE "Partner" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "entraTenantId" UUID NOT NULL,
    "contactEmail" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Partner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PortalUser" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "entraObjectId" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "role" "PortalRole",
    "roleSource" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSignInAt" TIMESTAMPTZ(3),

    CONSTRAINT "PortalUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Customer" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "displayName" TEXT NOT NULL,
    "domain" TEXT,
    "region" "Region" NOT NULL,
    "status" "CustomerStatus" NOT NULL DEFAULT 'PENDING',
    "tenantId" UUID,
    "grantedRoles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "consentedAt" TIMESTAMPTZ(3),
    "consentedVia" "ConsentVia",
    "statusReason" TEXT,
    "lastEventAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentRequest" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "stateHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentEvent" (
    "id" UUID NOT NULL,
    "customerId" UUID,
    "consentRequestId" UUID,
    "outcome" "ConsentOutcome" NOT NULL,
    "via" "ConsentVia" NOT NULL,
    "reason" TEXT NOT NULL,
    "errorCode" TEXT,
    "claimedTenantId" TEXT,
    "grantedRoles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "missingRoles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" BIGSERIAL NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "customerId" UUID,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Partner_entraTenantId_key" ON "Partner"("entraTenantId");

-- CreateIndex
CREATE UNIQUE INDEX "PortalUser_entraObjectId_key" ON "PortalUser"("entraObjectId");

-- CreateIndex
CREATE INDEX "PortalUser_partnerId_role_idx" ON "PortalUser"("partnerId", "role");

-- CreateIndex
CREATE UNIQUE INDEX "Customer_tenantId_key" ON "Customer"("tenantId");

-- CreateIndex
CREATE INDEX "Customer_partnerId_status_idx" ON "Customer"("partnerId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Customer_partnerId_displayName_key" ON "Customer"("partnerId", "displayName");

-- CreateIndex
CREATE UNIQUE INDEX "ConsentRequest_stateHash_key" ON "ConsentRequest"("stateHash");

-- CreateIndex
CREATE INDEX "ConsentRequest_customerId_createdAt_idx" ON "ConsentRequest"("customerId", "createdAt");

-- CreateIndex
CREATE INDEX "ConsentEvent_customerId_createdAt_idx" ON "ConsentEvent"("customerId", "createdAt");

-- CreateIndex
CREATE INDEX "ConsentEvent_createdAt_idx" ON "ConsentEvent"("createdAt");

-- CreateIndex
CREATE INDEX "AuditEntry_customerId_createdAt_idx" ON "AuditEntry"("customerId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEntry_createdAt_idx" ON "AuditEntry"("createdAt");

-- AddForeignKey
ALTER TABLE "PortalUser" ADD CONSTRAINT "PortalUser_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentRequest" ADD CONSTRAINT "ConsentRequest_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentRequest" ADD CONSTRAINT "ConsentRequest_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "PortalUser"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentEvent" ADD CONSTRAINT "ConsentEvent_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEntry" ADD CONSTRAINT "AuditEntry_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;
