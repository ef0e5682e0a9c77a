// `next start`, plus what it cannot give the app:
// - the TCP peer's address. The portal limits anonymous requests per client (lib/data/rate-limit.ts) and must know who
//   the client is without believing headers the client wrote, so every request carries the socket address in
//   x-portal-socket-address, and a copy sent by the client is replaced. X-Forwarded-For is left as it came: the app
//   believes it only from TRUSTED_PROXIES.
// - a request id (x-request-id, from a trusted proxy or generated), the context every log line of the request carries,
//   and the request's duration by route pattern (lib/ops/web.ts, installed by instrumentation.ts at startup).
// - a graceful stop: SIGTERM stops accepting connections, lets in-flight requests finish (SHUTDOWN_TIMEOUT_SECONDS,
//   25 s), then exits 0.
// Plain JavaScript so production runs it with node alone: `PORT=3000 node scripts/serve.mjs` (after `npm run build`).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { format } from "node:util";
import next from "next";

const SOCKET_ADDRESS_HEADER = "x-portal-socket-address"; // lib/security/client-address.ts
const REQUEST_ID_HEADER = "x-request-id"; // lib/ops/request-id.ts
const WEB_OPS_HOOKS = Symbol.for("portal.ops.web"); // lib/ops/web.ts
const port = Number(process.env.PORT ?? 3000);
const shutdownMs = Number(process.env.SHUTDOWN_TIMEOUT_SECONDS ?? 25) * 1000;

/** A JSON line for the few events before Next (and lib/ops/log.ts) is up, or if instrumentation did not load. */
function line(level, msg, fields = {}) {
  const out = level === "error" || level === "warn" ? process.stderr : process.stdout;
  out.write(JSON.stringify({ ...fields, time: new Date().toISOString(), level, msg, process: "web", pid: process.pid }) + "\n");
}

// Next prints a few lines of its own while it starts: JSON too. instrumentation.ts replaces this bridge with
// lib/ops/log.ts's (which also redacts) once Next has loaded it.
for (const [method, level] of [
  ["log", "info"],
  ["info", "info"],
  ["debug", "debug"],
  ["warn", "warn"],
  ["error", "error"],
]) {
  console[method] = (...args) =>
    line(
      level,
      format(...args)
        .split("\n")[0]
        .slice(0, 2000),
      { source: "console" },
    );
}

const app = next({ dev: false, dir: process.cwd(), port });
const handle = app.getRequestHandler();
await app.prepare();
/** @type {import("../lib/ops/web.ts").WebOpsHooks | undefined} */
const ops = globalThis[WEB_OPS_HOOKS];
if (!ops) line("warn", "instrumentation.ts did not install the request hooks: no request ids or request metrics");

let inFlight = 0;
let stopping = false;
const server = createServer((req, res) => {
  const started = process.hrtime.bigint();
  inFlight += 1;
  delete req.headers[SOCKET_ADDRESS_HEADER];
  if (req.socket.remoteAddress) req.headers[SOCKET_ADDRESS_HEADER] = req.socket.remoteAddress;
  const requestId = ops ? ops.requestId(req.headers[REQUEST_ID_HEADER], req.socket.remoteAddress) : randomUUID();
  req.headers[REQUEST_ID_HEADER] = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  // While stopping, a request on a kept-alive connection is still served, and its connection then closed.
  if (stopping) res.setHeader("connection", "close");
  let done = false;
  const finish = (aborted) => {
    if (done) return;
    done = true;
    inFlight -= 1;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    ops?.onResponse({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, status: res.statusCode, seconds, requestId, aborted });
    if (stopping && inFlight === 0) exitSoon();
  };
  res.once("finish", () => finish(false));
  res.once("close", () => finish(!res.writableFinished));
  const run = () =>
    handle(req, res).catch((err) => {
      console.error("request failed:", err instanceof Error ? err.message : err);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  if (ops) ops.run(requestId, run);
  else run();
});
server.listen(port, () => line("info", "portal listening", { port }));

let exitTimer = null;
function exitSoon() {
  // Let the last response's bytes leave before the process goes.
  if (exitTimer) return;
  exitTimer = setTimeout(() => {
    line("info", "stopped", { inFlight });
    process.exit(0);
  }, 50);
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    line("info", "stopping: no new connections, draining requests", { signal, inFlight, timeoutMs: shutdownMs });
    // No new connections; idle kept-alive ones are closed now, busy ones after their response.
    server.close();
    server.closeIdleConnections();
    if (inFlight === 0) exitSoon();
    setTimeout(() => {
      line("warn", "shutdown timeout: exiting with requests still in flight", { inFlight });
      server.closeAllConnections();
      process.exit(0);
    }, shutdownMs).unref();
  });
}
