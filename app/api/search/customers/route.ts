import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { suggestCustomers } from "@/lib/data/search";

export const dynamic = "force-dynamic";

/** Customer names for the queue's customer filter, scoped to the viewer's customers. */
export async function GET(req: Request) {
  const viewer = await getViewer();
  if (!viewer) return NextResponse.json({ error: "Sign in first." }, { status: 401 });
  const q = new URL(req.url).searchParams.get("q") ?? "";
  return NextResponse.json({ customers: await suggestCustomers(viewer, q) }, { headers: { "cache-control": "no-store" } });
}
