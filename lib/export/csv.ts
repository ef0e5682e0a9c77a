/**
 * CSV that is safe to open in a spreadsheet. Customer tenants control titles, paths and command lines, so a cell
 * starting with = + - @ (or a tab/CR that Excel strips before looking) would run as a formula ("=cmd|' /C calc'!A0").
 * Such cells get a leading apostrophe (OWASP's CSV-injection advice); every cell is quoted; control characters other
 * than tab/newline are dropped; and a BOM makes Excel read UTF-8.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export type CsvValue = string | number | boolean | Date | null | undefined;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '""';
  let text = value instanceof Date ? value.toISOString() : String(value);
  text = text.replace(CONTROL, "");
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(",") + "\r\n";
}

export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  let out = "\uFEFF" + csvRow(header);
  for (const r of rows) out += csvRow(r);
  return out;
}

/** A file name safe for Content-Disposition: the portal's own words only, never customer text. */
export function attachmentHeaders(fileName: string, contentType: string): Record<string, string> {
  const safe = fileName.replace(/[^A-Za-z0-9._-]/g, "_");
  return {
    "content-type": contentType,
    "content-disposition": `attachment; filename="${safe}"`,
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
  };
}
