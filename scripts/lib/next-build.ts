import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { runBounded } from "./run-bounded.ts";

const SOURCES = [
  "app",
  "components",
  "lib",
  "proxy.ts",
  "next.config.js",
  "tsconfig.json",
  "tsconfig.app.json",
  "postcss.config.mjs",
  "package.json",
  "prisma/schema.prisma",
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const NEXT_BUILD_LIMIT_MS = 15 * 60_000;

/**
 * Builds the production app when there is no build or a source is newer than it. Bounded like the test phases
 * (scripts/lib/run-bounded.ts): a build that hangs is killed with its workers and fails with a reason.
 */
export async function ensureNextBuild(log: (line: string) => void = console.log): Promise<void> {
  const buildId = join(".next", "BUILD_ID");
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= Math.max(...SOURCES.map(newestMtime))) return;
  log("Building the portal (next build)…");
  const r = await runBounded(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    limitMs: NEXT_BUILD_LIMIT_MS,
  });
  if (r.timedOut) throw new Error(`next build did not finish within ${NEXT_BUILD_LIMIT_MS / 60_000} minutes.`);
  if (r.status !== 0) throw new Error("next build failed (see above).");
}

/** Bundles the worker as production runs it (`npm run build:worker` → dist/worker.mjs); esbuild takes about a second. */
export function ensureWorkerBuild(log: (line: string) => void = console.log): void {
  log("Bundling the worker (dist/worker.mjs)…");
  const r = spawnSync("npm", ["run", "--silent", "build:worker"], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error("npm run build:worker failed (see above).");
}
