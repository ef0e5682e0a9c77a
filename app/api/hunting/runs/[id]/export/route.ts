import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { exportHuntResults } from "@/lib/data/hunting";
import { attachmentHeaders } from "@/lib/export/csv";

export const dynamic = "force-dynamic";

/** A hunt's rows as CSV or JSON (the viewer's own hunt, customers in their scope), streamed in batches. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const viewer = await getViewer();
  if (!viewer) return NextResponse.json({ error: "Sign in first." }, { status: 401 });
  if (!can(viewer, "hunting:run")) return NextResponse.json({ error: "You do not have access to this." }, { status: 403 });
  const format = new URL(req.url).searchParams.get("format") === "json" ? "json" : "csv";
  const file = await exportHuntResults(viewer, (await params).id, format);
  if (!file) return NextResponse.json({ error: "That hunt was not found." }, { status: 404 });
  if (file.expired) return NextResponse.json({ error: "This hunt's results have expired: run the query again." }, { status: 410 });
  const encoder = new TextEncoder();
  const chunks = file.chunks;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: { ...attachmentHeaders(file.fileName, file.contentType), "x-total-rows": String(file.rows), ...(file.truncated ? { "x-truncated": "true" } : {}) },
  });
}
