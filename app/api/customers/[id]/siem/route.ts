import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { serverConfig } from "@/lib/config/env";
import { pullSiemDetections, siemDetectionsCsv } from "@/lib/data/siem";
import { attachmentHeaders } from "@/lib/export/csv";

export const dynamic = "force-dynamic";

/**
 * A POST from the portal's own pages: the Origin is the portal's (OWASP CSRF cheat sheet, "Verifying Origin with
 * standard headers"). Under the portal's `Referrer-Policy: no-referrer` Chromium sends `Origin: null` with a form
 * navigation, so then Fetch Metadata decides: `Sec-Fetch-Site: same-origin`. A cross-site form has neither.
 */
function fromOwnPage(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (origin && origin !== "null") return origin === new URL(serverConfig().appUrl).origin;
  return req.headers.get("sec-fetch-site") === "same-origin";
}

/**
 * Downloads a SIEM API pull as CSV (formula-safe) or as Microsoft's JSON array. A pull calls Microsoft and is
 * audited, so it is a POST from the portal's own page only (fromOwnPage). GET answers 405.
 */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  if (!fromOwnPage(req)) {
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
