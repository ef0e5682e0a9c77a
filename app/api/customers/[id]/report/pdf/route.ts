import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { serverConfig } from "@/lib/config/env";
import { customerReportPdf } from "@/lib/data/reports";
import { isAppError } from "@/lib/errors";
import { attachmentHeaders } from "@/lib/export/csv";
import { parseReportRange } from "@/lib/reports/range";

export const dynamic = "force-dynamic";

/** Same rule as the SIEM download: a POST whose Origin (or Fetch Metadata) says it came from the portal's own page. */
function fromOwnPage(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (origin && origin !== "null") return origin === new URL(serverConfig().appUrl).origin;
  return req.headers.get("sec-fetch-site") === "same-origin";
}

/**
 * The customer report as PDF. Rendering starts a Chromium, so it is a POST from the report page only (a cross-site
 * link or image renders nothing); GET answers 405. The report is loaded with the viewer's access and handed to
 * Chromium as HTML: the browser never holds the viewer's session.
 */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  if (!fromOwnPage(req)) return NextResponse.json({ error: "Downloads start from the report page." }, { status: 403 });
  const viewer = await getViewer();
  if (!viewer) return NextResponse.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await ctx.params;
  const form = await req.formData().catch(() => null);
  const params: Record<string, string> = {};
  for (const [k, v] of form?.entries() ?? []) if (typeof v === "string") params[k] = v;
  const range = parseReportRange(params);
  if (!range.ok) return NextResponse.json({ error: range.error }, { status: 400 });
  let file: Awaited<ReturnType<typeof customerReportPdf>>;
  try {
    file = await customerReportPdf(viewer, id, range.range);
  } catch (err) {
    // Too many renders waiting: say so (503, retry later) rather than queueing Chromiums without bound.
    if (isAppError(err) && err.code === "pdf_busy") return NextResponse.json({ error: err.message }, { status: 503, headers: { "retry-after": "60" } });
    throw err;
  }
  if (!file) return NextResponse.json({ error: "Not found." }, { status: 404 });
  return new Response(new Uint8Array(file.pdf), { status: 200, headers: attachmentHeaders(file.fileName, "application/pdf") });
}
