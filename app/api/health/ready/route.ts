import { NextResponse } from "next/server";
import { checkReadiness } from "@/lib/ops/readiness";

export const dynamic = "force-dynamic";

/** Readiness: database reachable, migrations current, queue reachable. Anonymous; names the failing check only. */
export async function GET() {
  const r = await checkReadiness();
  return NextResponse.json(
    { status: r.ready ? "ready" : "not_ready", checks: r.checks },
    { status: r.ready ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
