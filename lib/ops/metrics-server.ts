import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PrismaClient } from "../db/client.ts";
import { log } from "./log.ts";
import { METRICS_CONTENT_TYPE, metricsText } from "./metrics.ts";

/**
 * True when `authorization` is "Bearer <token>". Both sides are hashed first, so the comparison takes the same
 * time whatever the length or the first differing byte (timingSafeEqual needs equal lengths).
 */
export function bearerMatches(authorization: string | null | undefined, token: string): boolean {
  const presented = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "")?.[1] ?? "";
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b) && presented.length > 0;
}

export interface MetricsServerOptions {
  port: number;
  /** 127.0.0.1 unless METRICS_HOST says otherwise: the metrics are for a local scraper or a sidecar. */
  host?: string;
  /** When set, scrapes must send `Authorization: Bearer <token>` here too. */
  token?: string | null;
  prisma: PrismaClient | null;
}

/** The worker's metrics endpoint: GET /metrics on its own port (the worker serves nothing else). */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    if (opts.token && !bearerMatches(req.headers.authorization, opts.token)) {
      res.writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" }).end("unauthorized\n");
      return;
    }
    metricsText(opts.prisma).then(
      (text) => res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" }).end(text),
      (err: unknown) => {
        log.error("metrics scrape failed", { err });
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics unavailable\n");
      },
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
