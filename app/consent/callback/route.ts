import { NextResponse, type NextRequest } from "next/server";
import { serverConfig } from "@/lib/config/env";
import { processConsentCallback } from "@/lib/data/consent";
import { anonymousRateLimit } from "@/lib/data/rate-limit";

export const dynamic = "force-dynamic";

/** Microsoft's admin-consent redirect. Every outcome, accepted or refused, lands on its ledger entry's page. */
export async function GET(req: NextRequest) {
  // Anyone may call this: a client over its per-minute budget gets 429 before anything else is read or written.
  const limited = await anonymousRateLimit(req.headers, "callback");
  if (limited) return limited;
  const result = await processConsentCallback(req.nextUrl.searchParams);
  // Always the portal's own origin: nothing from the query string decides where the browser goes next.
  const target = result.kind === "event" ? result.eventId : "invalid";
  return NextResponse.redirect(`${serverConfig().appUrl}/consent/outcome/${target}`, 303);
}

/** Next answers HEAD with GET unless told otherwise; a HEAD must never consume a link or write a row. */
export function HEAD() {
  return new NextResponse(null, { status: 204 });
}
