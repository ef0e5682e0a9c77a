import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { getCustomerHealth } from "@/lib/data/health";

export const dynamic = "force-dynamic";

/** Live sync status for the customer page's "Refresh now" (polled while a run is in progress). */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const viewer = await getViewer();
  if (!viewer) return NextResponse.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await ctx.params;
  const health = await getCustomerHealth(viewer, id);
  if (!health) return NextResponse.json({ error: "Not found." }, { status: 404 });
  return NextResponse.json({ feeds: health.feeds }, { headers: { "cache-control": "no-store" } });
}
