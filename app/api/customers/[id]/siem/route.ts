import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { serverConfig } from "@/lib/config/env";
import { pullSiemDetections, siemDetectionsCsv } from "@/lib/data/siem";
import { attachmentHeaders } from "@/lib/export/csv";

export const dynamic = "force-dynamic";

/**
 * Downloads a SIEM API pull as CSV (formula-safe) or as Microsoft's JSON array. A pull calls Microsoft and is
 * audited, so it is a POST from the portal's own page only: the Origin must be the portal's (a cross-site form
 * sends another; OWASP CSRF cheat sheet, "Verifying Origin with standard headers"). GET answers 405.
 */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  if (req.headers.get("origin") !== new URL(serverConfig().appUrl).origin) {
    return NextResponse.json({ error: "Downloads start from the importer's page." }, { status: 403 });
  }
  const viewer = await getViewer();
  if (!viewer) return NextResponse.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await ctx.params;
  const form = await req.formData().catch(() => null);
  if (!form) return NextResponse.json({ error: "Expected the importer's form." }, { status: 400 });
  const params: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") params[k] = v;
  const result = await pullSiemDetections(viewer, id, params);
  if (!result) return NextResponse.json({ error: "Not found." }, { status: 404 });
  if (!result.ok) return NextResponse.json({ error: result.error, fieldErrors: result.fieldErrors }, { status: 400 });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-");
  if (params.format === "csv") {
    return new Response(siemDetectionsCsv(result.detections), { headers: attachmentHeaders(`siem-detections-${stamp}.csv`, "text/csv; charset=utf-8") });
  }
  return new Response(JSON.stringify(result.detections, null, 2), { headers: attachmentHeaders(`siem-detections-${stamp}.json`, "application/json") });
}
