-- The Responder capability (issue 11 §2): who may run device response actions besides partner admins. Either the
-- Entra app role Portal.Responder (refreshed from every id token) or a partner admin's grant on Users & access.
ALTER TABLE "PortalUser" ADD COLUMN "responderFromEntra" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "PortalUser" ADD COLUMN "responderGrantedAt" TIMESTAMPTZ(3);
ALTER TABLE "PortalUser" ADD COLUMN "responderGrantedById" UUID;
