import { bridgeConsole, log, requestContext, setLogProcess } from "./log.ts";
import { recordWebRequest } from "./metrics.ts";
import { chooseRequestId } from "./request-id.ts";
import { classifyRequest, loadRouteTable } from "./routes.ts";

/**
 * What scripts/serve.mjs (plain JavaScript, in front of Next) asks of the TypeScript side for each request: an id,
 * a context to run it in, and a place to report how it ended. Installed by instrumentation.ts when Next starts, and
 * found by serve.mjs through globalThis (a bundle's exports are not reachable from outside Next).
 */
export interface WebOpsHooks {
  requestId(incoming: string | string[] | undefined, socketAddress: string | undefined): string;
  run<T>(requestId: string, fn: () => T): T;
  onResponse(r: {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    status: number;
    seconds: number;
    requestId: string;
    /** The client went away before the response ended. */
    aborted: boolean;
  }): void;
}

export const WEB_OPS_HOOKS = Symbol.for("portal.ops.web");

export function installWebOps(): void {
  setLogProcess("web");
  bridgeConsole();
  const table = loadRouteTable();
  const hooks: WebOpsHooks = {
    requestId: (incoming, socket) => chooseRequestId(incoming, socket),
    run: (requestId, fn) => requestContext().run({ requestId }, fn),
    onResponse(r) {
      const { route, kind } = classifyRequest(table, r);
      recordWebRequest({ route, method: r.method, kind, status: r.status, seconds: r.seconds });
      // The route pattern, never the path: paths carry ids and, on /onboard/[state], a consent link's secret.
      const fields = { method: r.method, route, kind, status: r.status, ms: Math.round(r.seconds * 1000), ...(r.aborted ? { aborted: true } : {}) };
      requestContext().run({ requestId: r.requestId }, () => (kind === "static" ? log.debug("request", fields) : log.info("request", fields)));
    },
  };
  (globalThis as unknown as Record<symbol, WebOpsHooks>)[WEB_OPS_HOOKS] = hooks;
}
