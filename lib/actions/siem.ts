"use server";
import { z } from "zod";
import { getViewer } from "@/lib/auth/session";
import { pullSiemDetections } from "@/lib/data/siem";
import { failure, type Result } from "@/lib/result";
import type { SiemQuery } from "@/lib/microsoft/siem";

/** What the importer's page shows after a pull: a count, the query that ran, and a short preview (no full rows). */
export interface SiemPullPreview {
  query: SiemQuery;
  count: number;
  rows: { key: string; processed: string; severity: string | null; title: string | null; device: string | null; file: string | null }[];
}

const PREVIEW_ROWS = 100;
// Arguments arrive from the network whatever the TypeScript signature says: check their shape first.
const customerIdArgument = z.uuid();
const formArgument = z.instanceof(FormData);

/**
 * Pulls detections from the deprecated SIEM API (issue #9 §5: a request with side effects, an audited call to
 * Microsoft, is a POST; a server action also refuses cross-site requests by Origin). The page renders the preview.
 */
export async function pullSiemAction(customerId: unknown, _previous: unknown, form: unknown): Promise<Result<SiemPullPreview>> {
  const viewer = await getViewer();
  if (!viewer) return failure("Your session has ended. Sign in again.", "unauthenticated");
  const id = customerIdArgument.safeParse(customerId);
  const data = formArgument.safeParse(form);
  if (!id.success || !data.success) return failure("Expected the importer's form.", "bad_request");
  const fields: Record<string, string> = {};
  for (const [k, v] of data.data.entries()) if (typeof v === "string" && !k.startsWith("$")) fields[k] = v;
  const result = await pullSiemDetections(viewer, id.data, fields);
  if (!result) return failure("Customer not found.", "not_found");
  if (!result.ok) return { ok: false, fieldErrors: result.fieldErrors ?? {}, formError: result.error };
  return {
    ok: true,
    value: {
      query: result.query,
      count: result.detections.length,
      rows: result.detections.slice(0, PREVIEW_ROWS).map((d, i) => ({
        key: `${i}|${d.AlertId}|${d.AlertPart ?? ""}`,
        processed: String(d.LastProcessedTimeUtc),
        severity: d.Severity ?? null,
        // Customer-sourced: cut before it travels; the component renders it inert.
        title: d.AlertTitle?.slice(0, 300) ?? null,
        device: d.ComputerDnsName?.slice(0, 200) ?? null,
        file: (d.FilePath ?? d.FileName)?.slice(0, 400) ?? null,
      })),
    },
  };
}
