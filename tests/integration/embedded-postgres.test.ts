import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { freePort, Spawned } from "../support/process.ts";

/** The process group of a running process (field 5 of /proc/PID/stat, after the command in parentheses). */
const processGroupOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[2]);

test("a Ctrl-C to npm start's process group reaches its handler, not PostgreSQL: the drain still has the database, nothing is cut (57P01)", async () => {
  // Under .data like the tests' own server: PostgreSQL runs as its own user, who cannot enter a private temp dir.
  const dir = join(".data", `embedded-stop-${randomBytes(4).toString("hex")}`);
  // Its own process group, as a terminal's foreground job is: the signal below goes to every process in it.
  const child = new Spawned(
    spawn(process.execPath, ["--import", "tsx", "tests/support/embedded-stop-child.ts"], {
      env: { ...process.env, PG_DIR: dir, PG_PORT: String(await freePort()) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    }),
  );
  try {
    const postmaster = Number((await child.waitForLine((l) => l.startsWith("ready "), 60_000)).split(" ")[1]);
    assert.notEqual(processGroupOf(postmaster), child.child.pid, "PostgreSQL runs in a process group of its own");
    process.kill(-child.child.pid!, "SIGINT");
    const { code } = await child.exited;
    assert.deepEqual(
      child.lines.filter((l) => /drained|stopped|pool error/.test(l)),
      ["drained", "stopped"],
      child.lines.join("\n"),
    );
    assert.equal(code, 0);
    assert.equal(existsSync(`/proc/${postmaster}`), false, "PostgreSQL stopped with it");
  } finally {
    await child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
