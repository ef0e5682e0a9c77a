-- Issue 9 §1, §2, §4: tenant confirmation, permission upgrades and drift, collapsed refusals.
ALTER TYPE "CustomerStatus" ADD VALUE 'AWAITING_CONFIRMATION';

ALTER TYPE "ConsentOutcome" ADD VALUE 'AWAITING_CONFIRMATION';
ALTER TYPE "ConsentOutcome" ADD VALUE 'CONFIRMED';
ALTER TYPE "ConsentOutcome" ADD VALUE 'REJECTED';
ALTER TYPE "ConsentOutcome" ADD VALUE 'PERMISSIONS_UPDATED';

CREATE TYPE "ConsentPurpose" AS ENUM ('ONBOARD', 'UPGRADE');

ALTER TABLE "Customer"
    ADD COLUMN "tenantDisplayName" TEXT,
    ADD COLUMN "tenantDefaultDomain" TEXT,
    ADD COLUMN "permissionsCheckedAt" TIMESTAMPTZ(3),
    ADD COLUMN "permissionsMissingSince" TIMESTAMPTZ(3);

ALTER TABLE "ConsentRequest"
    ADD COLUMN "purpose" "ConsentPurpose" NOT NULL DEFAULT 'ONBOARD',
    ADD COLUMN "capability" TEXT,
    ADD COLUMN "permissions" TEXT[] DEFAULT ARRAY[]::TEXT[];

ALTER TABLE "ConsentEvent"
    ADD COLUMN "expectedTenantId" TEXT,
    ADD COLUMN "dedupeKey" TEXT,
    ADD COLUMN "occurrences" INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN "lastSeenAt" TIMESTAMPTZ(3);

CREATE UNIQUE INDEX "ConsentEvent_dedupeKey_key" ON "ConsentEvent"("dedupeKey");
