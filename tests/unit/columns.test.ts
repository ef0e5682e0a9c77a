import assert from "node:assert/strict";
import { test } from "node:test";
import { base64urlToUuid, decodeColumn, encodeColumn, fromColumns, toColumns, uuidToBase64url } from "../../components/ui/columns.ts";

// The queues send their rows to the browser column by column (issue #12 §1): what arrives must be the rows that left.
type Row = { id: string; title: string; assignedTo?: string; alerts: number; note?: string };

test("rows survive the trip through columns unchanged, optional fields absent where they were absent", () => {
  const rows: Row[] = [
    { id: "a", title: "First", assignedTo: "x@contoso.example", alerts: 0 },
    { id: "b", title: "", alerts: 3 },
    { id: "c", title: "Third", alerts: 12, assignedTo: "y@contoso.example" },
  ];
  const cols = toColumns(rows, ["id", "title", "assignedTo", "alerts", "note"]);
  assert.deepEqual(cols, {
    id: ["a", "b", "c"],
    title: ["First", "", "Third"],
    assignedTo: ["x@contoso.example", null, "y@contoso.example"],
    alerts: [0, 3, 12],
  });
  assert.deepEqual(fromColumns(cols), rows);
  // What the React payload carries is JSON: the same after a round trip through it.
  assert.deepEqual(fromColumns(JSON.parse(JSON.stringify(cols))), rows);
});

test("a column empty on every row is left out; no rows is an empty table", () => {
  assert.equal("note" in toColumns([{ id: "a", title: "t", alerts: 1 }] as Row[], ["id", "title", "note"]), false);
  assert.deepEqual(fromColumns(toColumns([] as Row[], ["id", "title"])), []);
});

test("a text column with few distinct values travels as a dictionary and comes back the same", () => {
  const rows: Row[] = Array.from({ length: 6 }, (_, n) => ({
    id: `i${n}`,
    title: `Title ${n}`,
    alerts: n % 2,
    ...(n === 3 ? {} : { assignedTo: n < 3 ? "tier2.analyst@contoso.example" : "lead@contoso.example" }),
  }));
  const cols = toColumns(rows, ["id", "title", "assignedTo", "alerts"]);
  assert.deepEqual(cols.assignedTo, { d: ["tier2.analyst@contoso.example", "lead@contoso.example"], i: "000-11" });
  // Unique text and numbers stay plain arrays.
  assert.deepEqual(cols.title, ["Title 0", "Title 1", "Title 2", "Title 3", "Title 4", "Title 5"]);
  assert.deepEqual(cols.alerts, [0, 1, 0, 1, 0, 1]);
  assert.deepEqual(fromColumns(JSON.parse(JSON.stringify(cols))), rows);
});

test("more distinct values than one character can name stay a plain column", () => {
  const rows: Row[] = Array.from({ length: 200 }, (_, n) => ({ id: `i${n}`, title: `T${n % 70}`, alerts: 0 }));
  const cols = toColumns(rows, ["id", "title", "alerts"]);
  assert.ok(Array.isArray(cols.title));
  assert.deepEqual(fromColumns(cols), rows);
});

test("a column of UUIDs travels as one base64url string, 22 characters each, and comes back the same", () => {
  const ids = ["00000000-0000-0000-0000-000000000000", "879b1be0-aa2b-4450-b2a0-b1c0c50af911", "ffffffff-ffff-4fff-bfff-ffffffffffff"];
  const rows: Row[] = ids.map((id, n) => ({ id, title: `T${n}`, alerts: n }));
  const cols = toColumns(rows, ["id", "title", "alerts"]);
  assert.equal((cols.id as unknown as { u: string }).u.length, 66);
  // Written by table, as base64url of the 16 bytes would be (Buffer's encoder is the reference here).
  assert.equal((cols.id as unknown as { u: string }).u, ids.map((id) => Buffer.from(id.replace(/-/g, ""), "hex").toString("base64url")).join(""));
  assert.deepEqual(fromColumns(JSON.parse(JSON.stringify(cols))), rows);
  // Anything else in the column (upper case, not a UUID) keeps it a plain one.
  const mixed = toColumns([{ id: ids[1]!.toUpperCase(), title: "x", alerts: 0 }] as Row[], ["id", "title"]);
  assert.deepEqual(mixed.id, [ids[1]!.toUpperCase()]);
});

test("the dictionary's limits: half the rows distinct is still coded, one more is not; a UUID column with a gap is not base64url", () => {
  const titles = (values: string[]) => toColumns(values.map((title, n) => ({ id: `i${n}`, title, alerts: 0 })) as Row[], ["id", "title"]).title;
  assert.deepEqual(titles(["a", "b", "a", "b"]), { d: ["a", "b"], i: "0101" });
  assert.deepEqual(titles(["a", "b", "c", "a"]), ["a", "b", "c", "a"]);
  // 62 distinct values (every code character) in 124 rows are coded; a 63rd value is not.
  const many = Array.from({ length: 124 }, (_, n) => `v${n % 62}`);
  assert.equal((titles(many) as { i: string }).i.length, 124);
  assert.ok(Array.isArray(titles([...many, "v62", "v62"])));
  const gap = [
    { id: "879b1be0-aa2b-4450-b2a0-b1c0c50af911", title: "t", alerts: 0, note: "879b1be0-aa2b-4450-b2a0-b1c0c50af911" },
    { id: "x", title: "u", alerts: 0 },
  ];
  assert.deepEqual(toColumns(gap as Row[], ["id", "note"]).note, { d: ["879b1be0-aa2b-4450-b2a0-b1c0c50af911"], i: "0-" });
});

test("the column helpers alone: a UUID and its 22 characters, and a column through encodeColumn and back", () => {
  const id = "879b1be0-aa2b-4450-b2a0-b1c0c50af911";
  assert.equal(uuidToBase64url(id), Buffer.from(id.replace(/-/g, ""), "hex").toString("base64url"));
  assert.equal(base64urlToUuid(uuidToBase64url(id)), id);
  assert.equal(base64urlToUuid(`xx${uuidToBase64url(id)}`, 2), id);
  for (const column of [[id, id], ["a", null, "a", "b"], [1, null, 2], []])
    assert.deepEqual(decodeColumn(JSON.parse(JSON.stringify(encodeColumn(column))) as never), column);
});
