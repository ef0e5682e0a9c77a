// `npm test`: node's test runner (unit, integration, simulator) against a real embedded PostgreSQL and the
// simulator, then Playwright in Debian Chromium against the built portal. Ends with "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startEmbeddedPostgres } from "../lib/db/embedded.ts";
import { ensureNextBuild } from "./lib/next-build.ts";
import { runBounded } from "./lib/run-bounded.ts";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const only = process.argv[2]; // "unit" | "e2e" | undefined (both)
const fileFilter = process.argv.slice(3); // e.g. `npm test -- unit tests/integration/sync.test.ts`, `npm test -- e2e isolation`
const pgDir = join(".data", "test-pg");
rmSync(pgDir, { recursive: true, force: true });
const pg = await startEmbeddedPostgres({ dir: pgDir, port: Number(process.env.TEST_PG_PORT ?? 5544), persistent: false, database: "postgres" });
const env = { ...process.env, TEST_PG_ADMIN_URL: pg.url };

// Bounds that turn a hang into a failure with a name, well inside CI's 90 minutes (a whole run takes about 12).
// NODE_TEST_FILE_TIMEOUT_MS in the environment shortens the first, to try the retry of a stuck file.
const NODE_TEST_FILE_TIMEOUT_MS = Number(process.env.NODE_TEST_FILE_TIMEOUT_MS ?? 10 * 60_000);
const NODE_TESTS_TIMEOUT_MS = 30 * 60_000;
const PLAYWRIGHT_TIMEOUT_MS = 40 * 60_000;
/** Written by scripts/lib/test-count-reporter.mjs as the node tests finish. */
const TEST_COUNTS_FILE = join(".data", "node-test-counts.json");

interface FileCounts {
  pass: number;
  fail: number;
  timedOut: boolean;
}

/** node's test runner over `files`, bounded; what scripts/lib/test-count-reporter.mjs counted per file. */
async function runNodeTests(files: string[]): Promise<{ files: Record<string, FileCounts>; failedUncounted: boolean; cut: boolean }> {
  rmSync(TEST_COUNTS_FILE, { force: true });
  const r = await runBounded(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      // Node 20 applies this to each file as a whole: a file stuck in a hook, or done but kept alive by a handle
      // (a timer, a socket: node's runner waits for it forever, printing nothing), fails with its name instead of
      // holding CI until its 90-minute limit. The slowest file takes under two minutes here.
      // Not --test-force-exit: on a fresh clone it ended tests/unit/microsoft-contract.test.ts part-way through a
      // suite, and the tests it never ran were counted nowhere.
      `--test-timeout=${NODE_TEST_FILE_TIMEOUT_MS}`,
      "--test-reporter=spec",
      "--test-reporter=./scripts/lib/test-count-reporter.mjs",
      "--test-reporter-destination=stdout",
      "--test-reporter-destination=/dev/null",
      ...files,
    ],
    { env: { ...env, TEST_COUNTS_FILE }, limitMs: NODE_TESTS_TIMEOUT_MS },
  );
  if (r.timedOut) console.log(`node tests: stopped after ${NODE_TESTS_TIMEOUT_MS / 60_000} minutes`);
  const counted = existsSync(TEST_COUNTS_FILE) ? (JSON.parse(readFileSync(TEST_COUNTS_FILE, "utf8")) as Record<string, FileCounts>) : {};
  // A run that ended badly with no failure counted (it crashed, or was cut) still fails.
  return { files: counted, failedUncounted: r.status !== 0 && total(counted, "fail") === 0, cut: r.timedOut };
}

const total = (files: Record<string, FileCounts>, key: "pass" | "fail") => Object.values(files).reduce((n, c) => n + c[key], 0);

let passed = 0;
let failed = 0;
try {
  if (only !== "e2e") {
    // The Next build type-checks only what it ships; this covers the scripts, the simulator and the tests too.
    const tsc = fileFilter.length
      ? { status: 0 }
      : spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "tsconfig.json"], { stdio: "inherit" });
    console.log(`typecheck: ${tsc.status === 0 ? "passed" : "FAILED"}`);
    if (tsc.status === 0) passed += 1;
    else failed += 1;
    // Lint (layering rules included) counts as one check, like the typecheck; a warning fails it too.
    const lint = fileFilter.length
      ? { status: 0 }
      : spawnSync(process.execPath, ["node_modules/eslint/bin/eslint.js", ".", "--max-warnings", "0"], { stdio: "inherit" });
    console.log(`lint: ${lint.status === 0 ? "passed" : "FAILED"}`);
    if (lint.status === 0) passed += 1;
    else failed += 1;
    const format = fileFilter.length
      ? { status: 0 }
      : spawnSync(process.execPath, ["node_modules/prettier/bin/prettier.cjs", "--check", "--log-level", "warn", "."], { stdio: "inherit" });
    console.log(`format: ${format.status === 0 ? "passed" : "FAILED (npm run format fixes it)"}`);
    if (format.status === 0) passed += 1;
    else failed += 1;
    const files = ["tests/unit", "tests/simulator", "tests/integration"]
      .filter(existsSync)
      .flatMap((d) => spawnSync("find", [d, "-name", "*.test.ts"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean));
    const selected = fileFilter.length ? files.filter((f) => fileFilter.some((x) => f.includes(x))) : files;
    const first = await runNodeTests(selected.sort());
    let counts = first.files;
    let failedUncounted = first.failedUncounted;
    // A file that timed out is run once more, and says so: a hang seen once (CI on 2026-12-02 waited on one for its
    // whole 90 minutes) should not outweigh every other result, and a second timeout still fails the run. The second
    // run's counts replace the first's for those files.
    const stuck = first.cut ? [] : Object.keys(first.files).filter((file) => first.files[file]!.timedOut);
    if (stuck.length) {
      console.log(`node tests: ${stuck.join(", ")} timed out; running ${stuck.length === 1 ? "it" : "them"} once more`);
      const again = await runNodeTests(stuck);
      counts = { ...counts, ...again.files };
      failedUncounted = again.failedUncounted;
      const [p, f] = [total(again.files, "pass"), total(again.files, "fail")];
      console.log(`node tests: run again, ${p} passed, ${f} failed${f ? "" : " (the first run's timeout is above)"}`);
    }
    const p = total(counts, "pass");
    const f = total(counts, "fail") + (failedUncounted ? 1 : 0);
    passed += p;
    failed += f;
    console.log(`node tests: ${p} passed, ${f} failed`);
  }
  if (only !== "unit") {
    await ensureNextBuild();
    const report = join(".data", "playwright-results.json");
    rmSync(report, { force: true });
    // `npm test -- e2e actions` runs the specs whose path matches "actions" (Playwright's own file filter).
    const r = await runBounded(process.execPath, ["node_modules/@playwright/test/cli.js", "test", ...fileFilter], {
      env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
      limitMs: PLAYWRIGHT_TIMEOUT_MS,
    });
    if (r.timedOut) console.log(`playwright: stopped after ${PLAYWRIGHT_TIMEOUT_MS / 60_000} minutes`);
    let p = 0;
    let f = r.status === 0 ? 0 : 1;
    if (existsSync(report)) {
      const stats = JSON.parse(readFileSync(report, "utf8")).stats as { expected: number; unexpected: number; flaky: number };
      p = stats.expected + stats.flaky;
      f = stats.unexpected + (r.status !== 0 && stats.unexpected === 0 ? 1 : 0);
    }
    passed += p;
    failed += f;
    console.log(`playwright: ${p} passed, ${f} failed`);
  }
} finally {
  await pg.stop();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
