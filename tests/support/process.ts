import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** A child process whose every output line is kept (the log tests read them all). */
export class Spawned {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];

  constructor(readonly child: ChildProcess) {
    let partial = { out: "", err: "" };
    const take = (key: "out" | "err") => (chunk: Buffer) => {
      const text = partial[key] + chunk.toString("utf8");
      const parts = text.split("\n");
      partial = { ...partial, [key]: parts.pop() ?? "" };
      for (const l of parts.filter(Boolean)) {
        this.lines.push(l);
        this.waiters = this.waiters.filter((w) => (w.test(l) ? (w.resolve(l), false) : true));
      }
    };
    child.stdout!.on("data", take("out"));
    child.stderr!.on("data", take("err"));
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  static start(args: string[], env: Record<string, string>): Spawned {
    return new Spawned(
      spawn(process.execPath, args, {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env } as unknown as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
  }

  /** The first line (already printed or still to come) that `test` accepts. */
  waitForLine(test: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching line within ${timeoutMs} ms; last lines:\n${this.lines.slice(-15).join("\n")}`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
      void this.exited.then(({ code, signal }) => reject(new Error(`exited (${signal ?? code}) first; last lines:\n${this.lines.slice(-15).join("\n")}`)));
    });
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** Every line parsed as JSON (a line that is not JSON fails the test that asked). */
export function jsonLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON log line: ${l}`);
    }
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
