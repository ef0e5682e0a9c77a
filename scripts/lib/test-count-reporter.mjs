// A node:test reporter that only counts tests (suites aside, as node's own summary does) into the file named by
// TEST_COUNTS_FILE. Plain JavaScript: node loads reporters before `--import tsx` takes effect.
//
// Unlike the tap summary it replaces, a file that timed out counts as failed here (node's summary calls it
// cancelled), and the counts are on disk after every result, so a run killed at its limit still reports them.
import { writeFileSync } from "node:fs";

export default async function* countTests(source) {
  const file = process.env.TEST_COUNTS_FILE;
  const counts = { pass: 0, fail: 0 };
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    if (event.data.details?.type === "suite" || event.data.skip || event.data.todo) continue;
    // A cancelled test (its file timed out, a hook failed) arrives as test:fail and counts as failed.
    counts[event.type === "test:pass" ? "pass" : "fail"] += 1;
    if (file) writeFileSync(file, JSON.stringify(counts));
  }
  yield "";
}
