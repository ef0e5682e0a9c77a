-- One row per customer and report period: the monthly report e-mail goes out once (lib/reports/monthly-mail.ts).
CREATE TABLE "ReportMailing" (
    "customerId" UUID NOT NULL,
    "periodStart" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "recipients" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "claimedAt" TIMESTAMPTZ(3) NOT NULL,
    "sentAt" TIMESTAMPTZ(3),

    CONSTRAINT "ReportMailing_pkey" PRIMARY KEY ("customerId","periodStart")
);
