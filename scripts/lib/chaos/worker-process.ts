import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { DataSource } from "../../../lib/sync/model.ts";
import type { ChaosEnv } from "./env.ts";
import { simulatedPortalEnv } from "../stack.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * `npm run worker` (scripts/worker.ts) as a child process, with only the environment a deployment would give it:
 * the database, the app registration, the simulator as Microsoft, and its CA.
 */
export class WorkerProcess {
  private readonly exitPromise: Promise<string>;
  private exitedWith: string | null = null;
  /** The last lines it printed, for diagnosing a run that does not finish. */
  readonly output: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    echo: ((line: string) => void) | null,
  ) {
    const keep = (chunk: Buffer) => {
      const lines = chunk.toString().split("\n").filter(Boolean);
      for (const l of lines) echo?.(`      worker ${child.pid}: ${l}`);
      this.output.push(...lines);
      this.output.splice(0, Math.max(0, this.output.length - 50));
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exitPromise = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitedWith = signal ?? `exit ${code}`;
        resolve(this.exitedWith);
      });
    });
  }

  static start(env: ChaosEnv, databaseUrl: string, source: DataSource = "graph"): WorkerProcess {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_EXTRA_CA_CERTS: env.caPath,
        ...simulatedPortalEnv({
          databaseUrl,
          appUrl: "http://localhost:3999",
          authSecret: "chaos-campaign-not-a-real-secret-0123456789",
          sim: env.sim,
          clientId: env.app.clientId,
          clientSecret: env.app.clientSecret,
        }),
        DEFENDER_DATA_SOURCE: source,
        SYNC_INTERVAL_MINUTES: "1",
        SYNC_CONCURRENCY: "4",
        // Short leases so a killed worker's runs are recovered within the scenario (production default: 60 s).
        SYNC_LEASE_SECONDS: "6",
        NODE_ENV: "production",
      },
    });
    return new WorkerProcess(child, env.verbose ? env.log : null);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How it ended ("SIGKILL", "exit 1"), or null while it runs. */
  get exited(): string | null {
    return this.exitedWith;
  }

  async kill(): Promise<void> {
    if (this.exitedWith === null) this.child.kill("SIGKILL");
    await this.exitPromise;
  }

  /** SIGTERM (the worker stops gracefully), SIGKILL if it has not gone after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.exitedWith !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }
}
