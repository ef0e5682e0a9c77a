import { NextResponse, type NextRequest } from "next/server";
import { serverConfig } from "@/lib/config/env";
import { processConsentCallback } from "@/lib/data/consent";

export const dynamic = "force-dynamic";

/** Microsoft's admin-consent redirect. Every outcome, accepted or refused, lands on its ledger entry's page. */
export async function GET(req: NextRequest) {
  const eventId = await processConsentCallback(req.nextUrl.searchParams);
  // Always the portal's own origin: nothing from the query string decides where the browser goes next.
  return NextResponse.redirect(`${serverConfig().appUrl}/consent/outcome/${eventId}`, 303);
}
