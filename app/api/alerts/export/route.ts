import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { exportAlerts } from "@/lib/data/exports";
import { alertFilters, parseFilters } from "@/lib/data/filters";
import { EXPORT_LIMIT } from "@/lib/data/incidents";
import { csvResponse, searchParamsRecord } from "@/lib/export/respond";

export const dynamic = "force-dynamic";

/** CSV of the alert queue with the filters in the URL (the same ones the page uses). */
export async function GET(req: Request) {
  const viewer = await getViewer();
  if (!viewer) return NextResponse.json({ error: "Sign in first." }, { status: 401 });
  const filters = parseFilters(alertFilters, searchParamsRecord(new URL(req.url)));
  return csvResponse(await exportAlerts(viewer, filters), EXPORT_LIMIT);
}
