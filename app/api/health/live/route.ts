import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

/** Liveness: the process answers. Anonymous; says nothing else. */
export function GET() {
  return NextResponse.json({ status: "live" }, { headers: { "cache-control": "no-store" } });
}
