import { attachmentHeaders } from "./csv.ts";

/** A CSV download response; says in a header when the filters matched more rows than one file holds. */
export function csvResponse(file: { fileName: string; csv: string; total: number; truncated: boolean }, limit: number): Response {
  const headers: Record<string, string> = {
    ...attachmentHeaders(file.fileName, "text/csv; charset=utf-8"),
    "x-total-rows": `${file.total}${file.truncated ? "+" : ""}`,
  };
  if (file.truncated) headers["x-truncated-to"] = String(limit);
  return new Response(file.csv, { status: 200, headers });
}

export function searchParamsRecord(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}
