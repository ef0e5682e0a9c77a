import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * Child processes of the benchmark (sync worker, the web process) and everything else that must be stopped: a LIFO list
 * of cleanups, run once, on success, on error and on Ctrl-C.
 */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private readonly children = new Set<ChildProcess>();
  private running: Promise<void> | null = null;

  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  track(child: ChildProcess): void {
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
  }

  /** Sync part of a shutdown: every live child gets SIGTERM now, even if this process is about to be exited for us. */
  signalChildren(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGTERM");
  }

  runAll(log: (line: string) => void): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        await step.run().catch((err: unknown) => log(`cleanup ${step.name}: ${(err as Error).message}`));
      }
      this.steps.length = 0;
    })();
    return this.running;
  }
}

export interface NodeChild {
  name: string;
  pid: number;
  process: ChildProcess;
  /** The last few KB of its stdout and stderr, for error messages. */
  output(): string;
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** Starts `node args…` directly (not through a wrapper), so its pid is the process whose memory we read. */
export function spawnNode(cleanup: Cleanup, name: string, args: string[], env: Record<string, string>): NodeChild {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  cleanup.track(child);
  let output = "";
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onData = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
    for (const w of [...waiters]) {
      const m = output.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const handle: NodeChild = {
    name,
    pid: child.pid,
    process: child,
    output: () => output,
    waitForLine: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const already = output.match(pattern);
        if (already) return resolve(already);
        const timer = setTimeout(() => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
        child.once("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before printing ${pattern}:\n${output}`));
        });
        waiters.push({ pattern, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      }),
    stop: () => stopChild(child),
  };
  cleanup.add(name, handle.stop);
  return handle;
}

export function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Peak resident set (VmHWM) of a process and its descendants, in MiB; null once it has exited. */
export function peakRssMiB(pid: number): number | null {
  const pids = [pid, ...descendants(pid)];
  let kb = 0;
  for (const p of pids) {
    const status = readProc(`/proc/${p}/status`);
    const m = status?.match(/^VmHWM:\s+(\d+) kB/m);
    if (!m) {
      if (p === pid) return null;
      continue;
    }
    kb += Number(m[1]);
  }
  return kb / 1024;
}

function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so parse after the last ')'.
    const stat = readProc(`/proc/${entry}/stat`);
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) : NaN;
    if (Number.isFinite(ppid)) parentOf.set(Number(entry), ppid);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [p, pp] of parentOf) {
      if (pp !== parent) continue;
      out.push(p);
      queue.push(p);
    }
  }
  return out;
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
