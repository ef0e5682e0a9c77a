-- Per-client request counters for the anonymous routes (consent callback, onboarding, outcome), one row per client
-- key and minute, counted with one atomic upsert per request so the limit holds across web instances.
CREATE TABLE "RateLimitWindow" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RateLimitWindow_pkey" PRIMARY KEY ("key","windowStart")
);

CREATE INDEX "RateLimitWindow_windowStart_idx" ON "RateLimitWindow"("windowStart");

-- Retention (ConsentEvent, AuditEntry) purges by "createdAt", which both tables already index.
