import { serverConfig } from "../config/env.ts";
import { db } from "../db/client.ts";
import { log } from "./log.ts";
import { METRICS_CONTENT_TYPE, metricsText } from "./metrics.ts";
import { bearerMatches } from "./metrics-server.ts";

/**
 * GET /api/metrics on the web process. Off unless METRICS_TOKEN is set (then 404, as if the path did not exist);
 * with it, only `Authorization: Bearer <METRICS_TOKEN>` gets the Prometheus text (compared in constant time).
 */
export async function metricsResponse(request: Request): Promise<Response> {
  const token = serverConfig().metricsToken;
  const noStore = { "cache-control": "no-store" };
  if (!token) return new Response("Not found\n", { status: 404, headers: { ...noStore, "content-type": "text/plain" } });
  if (!bearerMatches(request.headers.get("authorization"), token)) {
    return new Response("Unauthorized\n", { status: 401, headers: { ...noStore, "content-type": "text/plain", "www-authenticate": "Bearer" } });
  }
  try {
    return new Response(await metricsText(db()), { status: 200, headers: { ...noStore, "content-type": METRICS_CONTENT_TYPE } });
  } catch (err) {
    log.error("metrics scrape failed", { err });
    return new Response("Metrics unavailable\n", { status: 500, headers: { ...noStore, "content-type": "text/plain" } });
  }
}
