import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { encode } from "next-auth/jwt";
import type { Viewer } from "../../../lib/auth/viewer.ts";
import { alertFilters, incidentFilters, parseFilters } from "../../../lib/data/filters.ts";
import { getOverview } from "../../../lib/data/health.ts";
import { getIncidentDetail, listAlerts, listIncidents } from "../../../lib/data/incidents.ts";
import type { BenchOptions } from "./args.ts";
import { runLoad, timeSequential, type LoadFigures } from "./load.ts";
import { percentile, sleep } from "./pool.ts";
import { pageWeight, processCpuMs, type PageWeight } from "./weight.ts";
import { peakRssMiB, spawnNode, type Cleanup, type NodeChild } from "./processes.ts";
import { BENCH_PORTS, type BenchEnvironment } from "./setup.ts";
import { productionNodeArgs } from "../production-command.ts";

export interface QueueScenario {
  name: string;
  /** The page and its query string, as the filter form writes it. */
  path: string;
  /** The data-layer call behind the page, for the same viewer. */
  dataLayer: { name: string; run: (viewer: Viewer) => Promise<unknown> };
  /** A marker of the rendered page (a redirect to sign-in is not a fast page). */
  testId: string;
  /** Text the page must contain instead of the test id (a page without one). */
  marker?: string;
  /** Fetched without the session cookie (the sign-in page: the framework's own floor). */
  anonymous?: true;
  /** Extra request headers (`accept-encoding: identity`: the same page without the web process's gzip). */
  headers?: Record<string, string>;
}

export interface QueueScenarioFigures {
  name: string;
  path: string;
  page: LoadFigures;
  /** The same page for one client alone: what an analyst waits when the portal is not under load. */
  alone: LoadFigures;
  /** The data-layer call called in this process, one call at a time. */
  dataLayer: string;
  dataLayerP50Ms: number;
  dataLayerRuns: number;
  /** One response split into HTML and the inlined React payload (issue #12 §1); absent in reports from before it. */
  weight?: PageWeight;
  /** The web process's own CPU time (utime + stime) ÷ responses, under load and for one client alone. */
  cpuMsPerResponse?: number | null;
  cpuMsPerResponseAlone?: number | null;
}

export interface QueueFigures {
  scenarios: QueueScenarioFigures[];
  peakWebRssMiB: number | null;
}

const APP_URL = `http://localhost:${BENCH_PORTS.app}`;
// next-auth's session cookie on plain http (no __Secure- prefix).
const SESSION_COOKIE = "next-auth.session-token";

/**
 * The queue's first page, the same filtered by severity and a word of the titles, the overview (every customer's
 * open incidents by severity: the page analysts land on), the alert queue and one incident's page.
 */
export async function queueScenarios(env: BenchEnvironment): Promise<QueueScenario[]> {
  const word = await commonTitleWord(env);
  // The most recently updated incident: the first row of the queue, the one an analyst opens.
  const incident = await env.prisma.incident.findFirstOrThrow({ orderBy: { lastUpdateTime: "desc" }, select: { id: true } });
  const queue = (name: string, query: Record<string, string>): QueueScenario => ({
    name,
    path: `/incidents${toQuery(query)}`,
    testId: "incident-table",
    dataLayer: { name: "listIncidents", run: (viewer) => listIncidents(viewer, parseFilters(incidentFilters, query)) },
  });
  return [
    queue("/incidents first page", {}),
    queue(`/incidents severity high + text "${word}"`, { severity: "high", q: word }),
    { name: "/overview", path: "/overview", testId: "overview-table", dataLayer: { name: "getOverview", run: (viewer) => getOverview(viewer) } },
    {
      name: "/alerts first page",
      path: "/alerts",
      testId: "alert-table",
      dataLayer: { name: "listAlerts", run: (viewer) => listAlerts(viewer, parseFilters(alertFilters, {})) },
    },
    {
      // The stored copy renders at once and the live refresh from the simulator (its latency included) streams in.
      name: "incident page",
      path: `/incidents/${incident.id}`,
      testId: "incident-title",
      dataLayer: { name: "getIncidentDetail (stored)", run: (viewer) => getIncidentDetail(viewer, incident.id, { refresh: false }) },
    },
    // The queue with everything but rows: the same statements, filters, saved views and bulk panel, and a text no
    // title contains. Its distance to the first page is what the 50 rows cost; its distance to the floor below, what
    // the queue's frame costs (issue #12 §1).
    queue("floor: /incidents, no row matches", { q: NO_MATCH }),
    {
      // The floor under every page's CPU figure: the same session check and portal frame around a small form, no data.
      name: "floor: /customers/new (a small form)",
      path: "/customers/new",
      testId: "viewer-name",
      dataLayer: { name: "none", run: async () => null },
    },
    {
      // The floor under that one: Next's own cost of a dynamic page with this app's proxy (CSP nonce, request id) and
      // root layout, without a session check or a database statement.
      name: "framework floor: /signin (anonymous)",
      path: "/signin",
      testId: "",
      marker: "Defender Partner Portal",
      anonymous: true,
      dataLayer: { name: "none", run: async () => null },
    },
    {
      // What the web process's gzip costs per queue page: the same first page, asked for uncompressed.
      ...queue("/incidents first page, uncompressed", {}),
      headers: { "accept-encoding": "identity" },
    },
  ];
}

/**
 * The built portal (`npm run serve`, as production runs it) signed in as the partner admin, loaded by `clients` concurrent clients per scenario;
 * beside it, the data-layer call behind the page, in-process.
 */
export async function measureQueuePage(
  env: BenchEnvironment,
  opts: BenchOptions,
  scenarios: QueueScenario[],
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<QueueFigures> {
  // A portal in use reads a store autovacuum has long processed; right after the bulk load of the initial sync it has
  // not yet (no statistics, no visibility map, hint bits unset): the first pages measured paid for that.
  log("VACUUM (ANALYZE) after the bulk load, as autovacuum would have…");
  await env.prisma.$executeRawUnsafe("VACUUM (ANALYZE)");
  const cookie = `${SESSION_COOKIE}=${await sessionToken(env)}`;
  // BENCH_CPU_PROF=<dir>: a fresh web process per page, run with `node --cpu-prof`, so each page gets a profile of
  // its own in <dir>/<page> (written when the process stops; the warm-up is in it too).
  const profileDir = process.env.BENCH_CPU_PROF;
  let next = await startNext(env, cleanup, profileDir && join(profileDir, slug(scenarios[0]!.name)));
  log(`Portal (npm run serve, pid ${next.pid}) on ${APP_URL}`);
  const request = (s: QueueScenario) => {
    const marker = s.marker ?? `data-testid="${s.testId}"`;
    return {
      url: `${APP_URL}${s.path}`,
      headers: { ...(s.anonymous ? {} : { cookie }), ...s.headers },
      isPage: (body: string) => body.includes(marker),
    };
  };
  // A web process that serves analysts all day has every page's code hot: each page is loaded once before any is
  // measured, so the first page measured does not also pay for compiling what the others share.
  if (!profileDir) {
    for (const s of scenarios) {
      const r = request(s);
      await runLoad(r.url, r.headers, opts.clients, warmUpS(opts), r.isPage);
    }
  }
  const results: QueueScenarioFigures[] = [];
  for (const [n, s] of scenarios.entries()) {
    if (profileDir && n > 0) {
      await next.stop();
      next = await startNext(env, cleanup, join(profileDir, slug(s.name)));
      log(`Portal (npm run serve, pid ${next.pid}, profiled into ${join(profileDir, slug(s.name))})`);
    }
    const { path } = s;
    const { url, headers, isPage } = request(s);
    const weight = pageWeight(await checkSignedIn(url, headers, isPage));
    log(`Page "${s.name}": ${opts.clients} clients for ${opts.durationS} s (after ${warmUpS(opts)} s of warm-up)…`);
    // Cold code paths and an unwarmed JIT are not what an analyst waits for all day: load first, then measure.
    await runLoad(url, headers, opts.clients, warmUpS(opts), isPage);
    // The web process's CPU time around each timed phase (the warm-up is outside), divided by the responses.
    const cpu0 = processCpuMs(next.pid);
    const page = await runLoad(url, headers, opts.clients, opts.durationS, isPage);
    const cpu1 = processCpuMs(next.pid);
    const alone = await runLoad(url, headers, 1, Math.min(opts.durationS / 2, 5), isPage);
    const cpu2 = processCpuMs(next.pid);
    const perResponse = (from: number | null, to: number | null, n: number) => (from === null || to === null || n === 0 ? null : (to - from) / n);
    const samples = await dataLayerSamples(env, s.dataLayer.run, Math.min(opts.durationS / 2, 5));
    results.push({
      name: s.name,
      path,
      page,
      alone,
      dataLayer: s.dataLayer.name,
      dataLayerP50Ms: percentile(samples, 50),
      dataLayerRuns: samples.length,
      weight,
      cpuMsPerResponse: perResponse(cpu0, cpu1, page.requests + page.errors),
      cpuMsPerResponseAlone: perResponse(cpu1, cpu2, alone.requests + alone.errors),
    });
  }
  const peak = peakRssMiB(next.pid);
  await next.stop();
  return { scenarios: results, peakWebRssMiB: peak };
}

/**
 * A signed-in admin as the portal's sign-in leaves one: a PortalSession row (the row decides, the cookie only names
 * it) and the next-auth session JWT carrying its id and the user's Entra object id.
 */
async function sessionToken(env: BenchEnvironment): Promise<string> {
  const { admin } = env;
  const now = new Date();
  const sid = randomUUID();
  await env.prisma.portalSession.create({
    data: {
      id: sid,
      userId: admin.userId,
      lastSeenAt: now,
      roleCheckedAt: now,
      absoluteExpiresAt: new Date(now.getTime() + 8 * 3_600_000),
      userAgent: "bench",
    },
  });
  return encode({
    token: { sub: admin.entraObjectId, oid: admin.entraObjectId, sid, name: admin.displayName, email: admin.email },
    secret: env.portalEnv.NEXTAUTH_SECRET!,
    maxAge: 8 * 60 * 60,
  });
}

const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");

async function startNext(env: BenchEnvironment, cleanup: Cleanup, cpuProfileDir?: string | false): Promise<NodeChild> {
  const port = String(BENCH_PORTS.app);
  // As production runs it: `npm run serve` (scripts/serve.mjs around `next start`, with its V8 flags).
  // (--cpu-prof is refused in NODE_OPTIONS: it goes on the command line.)
  const profile = cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : [];
  // BENCH_WEB_NODE_ARGS go after the production flags (before the script), so they can also turn one off.
  const extra = process.env.BENCH_WEB_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const serve = productionNodeArgs("serve");
  const next = spawnNode(cleanup, "web", [...profile, ...serve.slice(0, -1), ...extra, serve.at(-1)!], {
    ...env.portalEnv,
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: port,
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (next.process.exitCode !== null) throw new Error(`the web process exited (${next.process.exitCode}):\n${next.output()}`);
    try {
      const res = await fetch(`${APP_URL}/signin`, { redirect: "manual" });
      if (res.status < 500) return next;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`the web process did not answer within 60 s:\n${next.output()}`);
}

const warmUpS = (opts: BenchOptions) => Math.min(opts.durationS, opts.quick ? 2 : 5);

/** Fails fast when the minted session is not accepted (the load would only measure redirects to /signin); the page. */
async function checkSignedIn(url: string, headers: Record<string, string>, isPage: (body: string) => boolean): Promise<string> {
  const res = await fetch(url, { headers, redirect: "manual" });
  const body = await res.text();
  if (res.status !== 200 || !isPage(body)) {
    throw new Error(`${url} answered ${res.status}${res.headers.get("location") ? ` → ${res.headers.get("location")}` : ""} for the minted admin session`);
  }
  return body;
}

async function dataLayerSamples(env: BenchEnvironment, run: (viewer: Viewer) => Promise<unknown>, seconds: number): Promise<number[]> {
  const viewer: Viewer = {
    userId: env.admin.userId,
    partnerId: env.admin.partnerId,
    name: env.admin.displayName,
    email: env.admin.email,
    role: "ADMIN",
    customerScope: "all",
  };
  await run(viewer); // warm the connection pool
  return timeSequential(() => run(viewer), seconds, 10);
}

/** The most frequent longer word in high-severity incident titles: a search an analyst would plausibly type. */
async function commonTitleWord(env: BenchEnvironment): Promise<string> {
  const rows = await env.prisma.$queryRaw<{ word: string }[]>`
    SELECT w AS word FROM "Incident", regexp_split_to_table(lower(title), '[^a-z]+') AS w
    WHERE severity = 'high' AND length(w) >= 6 GROUP BY w ORDER BY count(*) DESC, w LIMIT 1`;
  return rows[0]?.word ?? "malware";
}

/** A search no simulated title contains (they are English words and numbers). */
const NO_MATCH = "zqxj-no-such-title";

const toQuery = (q: Record<string, string>) => (Object.keys(q).length ? `?${new URLSearchParams(q)}` : "");
