-- User context (issue 13): per-customer write mode, who and in which context a portal change was made, and each
-- analyst's delegated MSAL token cache per customer tenant (ciphertext only).
ALTER TABLE "Customer" ADD COLUMN "writeMode" TEXT NOT NULL DEFAULT 'application';

ALTER TABLE "IncidentChange" ADD COLUMN "writeContext" TEXT;
ALTER TABLE "IncidentChange" ADD COLUMN "microsoftActor" TEXT;

CREATE TABLE "DelegatedTokenCache" (
    "userId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "connectedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "DelegatedTokenCache_pkey" PRIMARY KEY ("userId","customerId")
);
CREATE INDEX "DelegatedTokenCache_customerId_idx" ON "DelegatedTokenCache"("customerId");
ALTER TABLE "DelegatedTokenCache" ADD CONSTRAINT "DelegatedTokenCache_userId_fkey" FOREIGN KEY ("userId") REFERENCES "PortalUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DelegatedTokenCache" ADD CONSTRAINT "DelegatedTokenCache_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
