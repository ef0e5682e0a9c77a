import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { AUDIT_EXPORT_LIMIT, exportAudit, parseAuditQuery } from "@/lib/data/audit-log";
import { csvResponse, searchParamsRecord } from "@/lib/export/respond";

export const dynamic = "force-dynamic";

/** CSV of the audit log with the filters in the URL (the same ones the page uses); admins only, and audited. */
export async function GET(req: Request) {
  const viewer = await getViewer();
  if (!viewer) return NextResponse.json({ error: "Sign in first." }, { status: 401 });
  if (!can(viewer, "audit:read")) return NextResponse.json({ error: "Not found." }, { status: 404 });
  const query = parseAuditQuery(searchParamsRecord(new URL(req.url)));
  return csvResponse(await exportAudit(viewer, query), AUDIT_EXPORT_LIMIT);
}
