import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { customerReportCsv } from "@/lib/data/reports";
import { attachmentHeaders } from "@/lib/export/csv";
import { searchParamsRecord } from "@/lib/export/respond";
import { parseReportRange } from "@/lib/reports/range";

export const dynamic = "force-dynamic";

/** The customer report as CSV (formula-safe), for the range in the URL; not found unless the viewer sees the customer. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const viewer = await getViewer();
  if (!viewer) return NextResponse.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await ctx.params;
  const range = parseReportRange(searchParamsRecord(new URL(req.url)));
  if (!range.ok) return NextResponse.json({ error: range.error }, { status: 400 });
  const file = await customerReportCsv(viewer, id, range.range);
  if (!file) return NextResponse.json({ error: "Not found." }, { status: 404 });
  return new Response(file.csv, { status: 200, headers: attachmentHeaders(file.fileName, "text/csv; charset=utf-8") });
}
