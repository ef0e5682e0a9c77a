import { percentile } from "./pool.ts";

export interface LoadFigures {
  clients: number;
  durationS: number;
  requests: number;
  errors: number;
  /** The first failure, to say what went wrong. */
  firstError: string | null;
  requestsPerS: number;
  /** Mean response body size (HTML + React payload). */
  bytesPerResponse: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/**
 * `clients` closed-loop clients GET `url` for `durationS` seconds, each reading the whole body. A response counts as
 * an error unless it is 200 and `isValid(body)` (a redirect to sign-in is an error, not a fast page).
 */
export async function runLoad(
  url: string,
  headers: Record<string, string>,
  clients: number,
  durationS: number,
  isValid: (body: string) => boolean,
): Promise<LoadFigures> {
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        const res = await fetch(url, { headers, redirect: "manual" });
        const body = await res.text();
        if (res.status !== 200 || !isValid(body))
          throw new Error(`HTTP ${res.status}${res.headers.get("location") ? ` → ${res.headers.get("location")}` : ""}`);
        latencies.push(performance.now() - t);
        bytes += Buffer.byteLength(body);
      } catch (err) {
        errors += 1;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const elapsedS = (performance.now() - started) / 1000;
  return {
    clients,
    durationS: elapsedS,
    requests: latencies.length,
    errors,
    firstError,
    requestsPerS: latencies.length / elapsedS,
    bytesPerResponse: latencies.length ? bytes / latencies.length : NaN,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
  };
}

/** Runs `fn` one call after another for up to `seconds` (at least `minRuns` times), returning each call's ms. */
export async function timeSequential(fn: () => Promise<unknown>, seconds: number, minRuns: number, maxRuns = 500): Promise<number[]> {
  const samples: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  while (samples.length < maxRuns && (samples.length < minRuns || performance.now() < deadline)) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples;
}
