// A node:test reporter that only counts tests (suites aside, as node's own summary does), per file, into the file
// named by TEST_COUNTS_FILE. Plain JavaScript: node loads reporters before `--import tsx` takes effect.
//
// Unlike the tap summary it replaces, a file that timed out counts as failed here (node's summary calls it
// cancelled) and is marked `timedOut`, and the counts are on disk after every result, so a run killed at its limit
// still reports them.
import { writeFileSync } from "node:fs";

export default async function* countTests(source) {
  const out = process.env.TEST_COUNTS_FILE;
  const files = {};
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    if (event.data.details?.type === "suite" || event.data.skip || event.data.todo) continue;
    const file = (files[event.data.file ?? "?"] ??= { pass: 0, fail: 0, timedOut: false });
    file[event.type === "test:pass" ? "pass" : "fail"] += 1;
    // With --test-timeout, node 20 times out a whole file: the file itself fails, at nesting 0, with this type.
    if (event.data.details?.error?.failureType === "testTimeoutFailure" && event.data.name === event.data.file) file.timedOut = true;
    if (out) writeFileSync(out, JSON.stringify(files));
  }
  yield "";
}
