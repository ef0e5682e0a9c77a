import { readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";

/**
 * Where a page's bytes go (issue #12 §1): the HTML, and the React Server Components payload Next.js inlines into the
 * same response as `<script>self.__next_f.push([1,"…"])</script>` tags to hydrate it. Both are counted as sent
 * (uncompressed, as the browser decodes them); gzip is what the wire carries with Next's default compression.
 */
export interface PageWeight {
  bytes: number;
  htmlBytes: number;
  rscBytes: number;
  /** Other inline scripts (the bundler's bootstrap). */
  otherScriptBytes: number;
  gzipBytes: number;
}

const SCRIPT = /<script\b[^>]*>([\s\S]*?)<\/script>/g;

export function pageWeight(body: string): PageWeight {
  const bytes = Buffer.byteLength(body);
  let rscBytes = 0;
  let otherScriptBytes = 0;
  for (const m of body.matchAll(SCRIPT)) {
    const n = Buffer.byteLength(m[0]);
    if (m[1]!.includes("self.__next_f")) rscBytes += n;
    else if (m[1]!.trim()) otherScriptBytes += n;
  }
  return { bytes, htmlBytes: bytes - rscBytes - otherScriptBytes, rscBytes, otherScriptBytes, gzipBytes: gzipSync(body).length };
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux, asked once). */
let ticksPerS: number | null = null;
function userHz(): number {
  if (ticksPerS === null) {
    try {
      ticksPerS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerS = 100;
    }
  }
  return ticksPerS;
}

/**
 * CPU time (user + system, ms) the process and its descendants have used so far, from /proc/<pid>/stat: the web
 * process's own share, not the machine's (PostgreSQL and the load generator run on the same cores). null once the
 * process has exited or off Linux.
 */
export function processCpuMs(pid: number): number | null {
  const own = statCpuTicks(pid);
  if (own === null) return null;
  let ticks = own;
  for (const child of childrenOf(pid)) ticks += statCpuTicks(child) ?? 0;
  return (ticks * 1000) / userHz();
}

/** utime + stime of one process alone (all its threads, none of its children), in ms. */
export function ownCpuMs(pid: number): number | null {
  const ticks = statCpuTicks(pid);
  return ticks === null ? null : (ticks * 1000) / userHz();
}

function statCpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid … utime(14) stime(15)": comm may hold spaces, so count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function childrenOf(root: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return out;
  }
  const parentOf = new Map<number, number>();
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      parentOf.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
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
