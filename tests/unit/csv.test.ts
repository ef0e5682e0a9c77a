import assert from "node:assert/strict";
import { test } from "node:test";
import { attachmentHeaders, csvCell, toCsv } from "../../lib/export/csv.ts";

test("cells that a spreadsheet would run as a formula are neutralised", () => {
  for (const attack of ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1"]) {
    const cell = csvCell(attack);
    assert.ok(cell.startsWith(`"'`), `${JSON.stringify(attack)} → ${cell}`);
  }
  // Numbers the portal writes itself stay numbers.
  assert.equal(csvCell(-5), '"-5"');
  assert.equal(csvCell("plain title"), '"plain title"');
});

test("quotes, newlines and control characters cannot break out of a cell", () => {
  assert.equal(csvCell('a "quoted", b'), '"a ""quoted"", b"');
  assert.equal(csvCell("line1\nline2"), '"line1\nline2"');
  assert.equal(csvCell("bell\u0007 nul\u0000 esc\u001b"), '"bell nul esc"');
  assert.equal(csvCell(null), '""');
  assert.equal(csvCell(new Date("2026-01-02T03:04:05Z")), '"2026-01-02T03:04:05.000Z"');
});

test("a CSV starts with a BOM and ends rows with CRLF", () => {
  const csv = toCsv(["A", "B"], [["1", "=2"]]);
  assert.equal(csv, '\uFEFF"A","B"\r\n"1","\'=2"\r\n');
});

test("download file names never carry header-breaking characters", () => {
  const h = attachmentHeaders('evil"\r\nSet-Cookie: x.csv', "text/csv");
  assert.equal(h["content-disposition"], 'attachment; filename="evil___Set-Cookie__x.csv"');
  assert.equal(h["x-content-type-options"], "nosniff");
});
