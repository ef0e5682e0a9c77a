import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { pullSiemDetections, siemDetectionsCsv } from "@/lib/data/siem";
import { attachmentHeaders } from "@/lib/export/csv";
import { searchParamsRecord } from "@/lib/export/respond";

export const dynamic = "force-dynamic";

/** Downloads a SIEM API pull as CSV (formula-safe) or as Microsoft's JSON array. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const viewer = await getViewer();
  if (!viewer) return NextResponse.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await ctx.params;
  const params = searchParamsRecord(new URL(req.url));
  const result = await pullSiemDetections(viewer, id, params);
  if (!result) return NextResponse.json({ error: "Not found." }, { status: 404 });
  if (!result.ok) return NextResponse.json({ error: result.error, fieldErrors: result.fieldErrors }, { status: 400 });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-");
  if (params.format === "csv") {
    return new Response(siemDetectionsCsv(result.detections), { headers: attachmentHeaders(`siem-detections-${stamp}.csv`, "text/csv; charset=utf-8") });
  }
  return new Response(JSON.stringify(result.detections, null, 2), { headers: attachmentHeaders(`siem-detections-${stamp}.json`, "application/json") });
}
