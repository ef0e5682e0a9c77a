// The simulator's KQL subset (simulator/hunting/kql.ts) and the runHuntingQuery Timespan forms, without HTTP.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatTimespan, hasTerm, KqlError, runQuery, type Table } from "../../simulator/hunting/kql.ts";
import { isoDurationMs, timespanWindow } from "../../simulator/hunting/service.ts";

const NOW = Date.parse("2026-06-15T12:00:00Z");
const T: Table = {
  columns: [
    { name: "Timestamp", type: "datetime" },
    { name: "Name", type: "string" },
    { name: "N", type: "long" },
    { name: "Extra", type: "dynamic" },
  ],
  rows: [
    { Timestamp: NOW - 3_600_000, Name: "powershell.exe -EncodedCommand AAA", N: 3, Extra: { a: 1 } },
    { Timestamp: NOW - 2 * 86_400_000, Name: "cmd.exe /c whoami", N: 5, Extra: null },
    { Timestamp: NOW - 10 * 86_400_000, Name: "PowerShell.EXE", N: 7, Extra: [1, 2] },
    { Timestamp: NOW - 20 * 86_400_000, Name: 'it\'s "quoted"', N: -1, Extra: null },
  ],
};
const q = (text: string) => runQuery(text, (n) => (n === "T" ? T : undefined), { nowMs: NOW });
const names = (text: string) => q(text).rows.map((r) => r.Name);
const err = (text: string) => {
  try {
    q(text);
  } catch (e) {
    assert.ok(e instanceof KqlError, `${text}: ${String(e)}`);
    return e.message;
  }
  assert.fail(`${text} should fail`);
};

describe("KQL subset", () => {
  test("literals: both quotes, escapes, verbatim strings, comments, timespans, datetime()", () => {
    assert.deepEqual(names(`T | where Name == 'it\\'s "quoted"'`), [`it's "quoted"`]);
    assert.deepEqual(names(`T | where Name == "it's \\"quoted\\""`), [`it's "quoted"`]);
    assert.deepEqual(names(`T | where Name == @'it''s "quoted"'`), [`it's "quoted"`]);
    assert.deepEqual(names("// a comment\nT // another\n| where N == 5 // trailing"), ["cmd.exe /c whoami"]);
    assert.deepEqual(names("T | where Timestamp > ago(36h)"), ["powershell.exe -EncodedCommand AAA"]);
    assert.deepEqual(names("T | where Timestamp between (datetime(2026-06-01) .. datetime(2026-06-13T00:00:00Z))"), ["PowerShell.EXE"]);
    assert.deepEqual(names("T | where Timestamp < now(-15d)"), [`it's "quoted"`]);
    assert.deepEqual(names("T | where N == -1"), [`it's "quoted"`]);
    assert.match(err("T | where Name == 'open"), /Query could not be parsed at ''open' on line \[1,19\]/);
    assert.match(err("T | where Timestamp > ago(3x)"), /could not be parsed at '3x'/);
  });

  test("has is whole-term and case-insensitive; contains is a substring", () => {
    assert.equal(hasTerm("powershell.exe -EncodedCommand AAA", "encodedcommand", false), true);
    assert.equal(hasTerm("powershell.exe", "power", false), false);
    assert.equal(hasTerm("powershell.exe", "exe", false), true);
    assert.equal(hasTerm("a -EncodedCommand b", "-EncodedCommand", true), true);
    assert.equal(hasTerm("a -EncodedCommandX b", "-EncodedCommand", false), false);
    assert.deepEqual(names('T | where Name has "POWERSHELL"'), ["powershell.exe -EncodedCommand AAA", "PowerShell.EXE"]);
    assert.deepEqual(names('T | where Name has "POWER"'), []);
    assert.deepEqual(names('T | where Name contains "POWERSHELL"'), ["powershell.exe -EncodedCommand AAA", "PowerShell.EXE"]);
    assert.deepEqual(names('T | where Name contains_cs "Power"'), ["PowerShell.EXE"]);
    assert.deepEqual(names('T | where Name has_cs "EncodedCommand"'), ["powershell.exe -EncodedCommand AAA"]);
  });

  test("types: schema of computed columns, arithmetic on dates, iff, bin", () => {
    const r = q("T | extend D = now() - Timestamp, Half = N / 2, Ratio = N / 2.0, Day = bin(Timestamp, 1d), Big = iff(N > 4, 'big', 'small') | take 1");
    assert.deepEqual(
      r.columns.slice(4).map((c) => `${c.name}:${c.type}`),
      ["D:timespan", "Half:long", "Ratio:real", "Day:datetime", "Big:string"],
    );
    assert.equal(r.rows[0]!.D, 3_600_000);
    assert.equal(r.rows[0]!.Half, 1);
    assert.equal(r.rows[0]!.Ratio, 1.5);
    assert.equal(r.rows[0]!.Day, Date.parse("2026-06-15T00:00:00Z"));
    assert.equal(r.rows[0]!.Big, "small");
    assert.equal(formatTimespan(93_784_005), "1.02:03:04.0050000");
    assert.equal(formatTimespan(60_000), "00:01:00");
  });

  test("summarize without by gives one row even over nothing; names and types", () => {
    const r = q("T | where N > 100 | summarize count(), dcount(Name), max(N), Total = sum(N), avg(N)");
    assert.deepEqual(
      r.columns.map((c) => `${c.name}:${c.type}`),
      ["count_:long", "dcount_Name:long", "max_N:long", "Total:long", "avg_N:real"],
    );
    assert.deepEqual(r.rows, [{ count_: 0, dcount_Name: 0, max_N: null, Total: 0, avg_N: null }]);
    assert.deepEqual(q("T | summarize countif(N > 2) by Big = N > 4").rows, [
      { Big: false, countif_: 1 },
      { Big: true, countif_: 2 },
    ]);
  });

  test("sort keeps nulls last when descending, first when ascending; top; distinct over dynamic", () => {
    assert.deepEqual(
      q("T | extend X = iff(N > 4, N, tolong('')) | sort by X desc | project X").rows.map((r) => r.X),
      [7, 5, null, null],
    );
    assert.deepEqual(
      q("T | extend X = iff(N > 4, N, tolong('')) | sort by X asc | project X").rows.map((r) => r.X),
      [null, null, 5, 7],
    );
    assert.deepEqual(
      q("T | top 2 by N").rows.map((r) => r.N),
      [7, 5],
    );
    assert.equal(q("T | distinct Extra").rows.length, 3);
  });

  test("errors name what is wrong", () => {
    assert.equal(err("T | join kind=inner (T) on N"), "'join' operator is not supported");
    assert.equal(err("T | evaluate bag_unpack(Extra)"), "'evaluate' operator is not supported");
    assert.equal(err("T | make-series count() on Timestamp step 1d"), "'make-series' operator is not supported");
    assert.equal(err("T | summarize arg_max(Timestamp, *) by Name"), "'arg_max' function is not supported");
    assert.equal(err("T | where Name matches regex 'x'"), "'matches' operator is not supported");
    assert.equal(err("T | where Name has_any ('a')"), "'has_any' operator is not supported");
    assert.equal(err("T | extend c = count()"), "'extend' operator: aggregate function 'count' is only allowed in summarize");
    assert.equal(err("T | where N"), "'where' operator: the predicate must be a boolean expression");
    assert.equal(err("T | project N, N"), "'project' operator: a column named 'N' is projected more than once");
    assert.equal(err("T | take -1"), "'take' operator: the row count must be a non-negative integer literal");
    assert.equal(err("t | take 1"), "Failed to resolve table or column expression named 't'");
    assert.equal(err("T | Where N == 1"), "Query could not be parsed at 'Where' on line [1,5]");
    assert.equal(err("T | where Timestamp > 5"), "Cannot compare values of types datetime and long. Try adding explicit casts");
  });
});

describe("runHuntingQuery Timespan", () => {
  test("ISO 8601 durations", () => {
    assert.equal(isoDurationMs("P30D"), 30 * 86_400_000);
    assert.equal(isoDurationMs("PT1H30M"), 5_400_000);
    assert.equal(isoDurationMs("P1W"), 7 * 86_400_000);
    assert.equal(isoDurationMs("P"), null);
    assert.equal(isoDurationMs("PT"), null);
    assert.equal(isoDurationMs("30 days"), null);
  });

  test("the five forms of security-security-runhuntingquery.md", () => {
    const end = Date.parse("2024-02-15T08:00:00Z");
    const start = Date.parse("2024-02-01T08:00:00Z");
    assert.deepEqual(timespanWindow("2024-02-01T08:00:00Z/2024-02-15T08:00:00Z", NOW), { startMs: start, endMs: end });
    assert.deepEqual(timespanWindow("P30D/2024-02-15T08:00:00Z", NOW), { startMs: end - 30 * 86_400_000, endMs: end });
    assert.deepEqual(timespanWindow("2024-02-01T08:00:00Z/P30D", NOW), { startMs: start, endMs: start + 30 * 86_400_000 });
    assert.deepEqual(timespanWindow("P30D", NOW), { startMs: NOW - 30 * 86_400_000, endMs: NOW });
    assert.deepEqual(timespanWindow("2024-02-01T08:00:00Z", NOW), { startMs: start, endMs: NOW });
    assert.equal(timespanWindow("2024-02-15T08:00:00Z/2024-02-01T08:00:00Z", NOW), null);
    assert.equal(timespanWindow("P1D/P2D", NOW), null);
    assert.equal(timespanWindow("yesterday", NOW), null);
  });
});
