import { randomUUID } from "node:crypto";
import { serverConfig } from "../config/env.ts";
import { db } from "../db/client.ts";

export interface PartnerInfo {
  id: string;
  name: string;
  entraTenantId: string;
  contactEmail: string | null;
}

let cached: Promise<PartnerInfo> | undefined;

/** The deployment's partner, created from config on first use (one partner per deployment: its Entra tenant). */
export function currentPartner(): Promise<PartnerInfo> {
  cached ??= (async () => {
    const cfg = serverConfig();
    const row = await db().partner.upsert({
      where: { entraTenantId: cfg.partnerTenantId },
      create: { id: randomUUID(), name: cfg.partnerName, entraTenantId: cfg.partnerTenantId, contactEmail: cfg.partnerContactEmail ?? null },
      update: { name: cfg.partnerName, contactEmail: cfg.partnerContactEmail ?? null },
      select: { id: true, name: true, entraTenantId: true, contactEmail: true },
    });
    return row;
  })().catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
