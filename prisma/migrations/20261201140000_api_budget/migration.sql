-- Per-tenant API budgets shared across worker processes (issue 12 §3): one row per tenant × quota key holding the
-- call times (epoch ms) of its longest window; lib/microsoft/shared-limiter.ts takes a call in one atomic statement.
CREATE TABLE "ApiBudget" (
    "key" TEXT NOT NULL,
    "calls" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiBudget_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "ApiBudget_updatedAt_idx" ON "ApiBudget"("updatedAt");
