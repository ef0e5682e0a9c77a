-- Title search across every customer's incidents and alerts (ILIKE '%text%') through trigram indexes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "Incident_title_idx" ON "Incident" USING GIN ("title" gin_trgm_ops);
CREATE INDEX "Alert_title_idx" ON "Alert" USING GIN ("title" gin_trgm_ops);
