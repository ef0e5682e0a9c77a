import { spawn, type SpawnOptions } from "node:child_process";

export interface BoundedRun {
  status: number | null;
  /** The run passed its time limit and its whole process group was killed. */
  timedOut: boolean;
}

/**
 * Runs a command in a process group of its own, killed whole (grandchildren included: browsers, the app server,
 * worker processes) when it passes `limitMs`. spawnSync's own timeout kills only the direct child, and a surviving
 * grandchild holding the inherited stdout would keep CI's `tee` waiting all the same.
 */
export function runBounded(command: string, args: string[], opts: SpawnOptions & { limitMs: number }): Promise<BoundedRun> {
  const { limitMs, ...spawnOpts } = opts;
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", ...spawnOpts, detached: true });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, limitMs);
    // Out of the terminal's foreground group, the run would not see a Ctrl-C: pass it on.
    const onSignal = () => {
      killGroup();
      process.exit(130);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    child.once("exit", (status) => {
      clearTimeout(timer);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      // Whatever the run left behind in its group goes with it.
      killGroup();
      resolve({ status, timedOut });
    });
  });
}
