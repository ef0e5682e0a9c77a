// A small router over node:https: routes are (method, path pattern) pairs; handlers get a parsed
// request and return a result object. Modules (Entra endpoints, control API, later the Defender
// data APIs) each contribute a list of routes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { z } from "zod";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface SimRequest {
  method: string;
  url: URL;
  /** Decoded path without query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  params: Record<string, string>;
  /** Raw body (read once, max 1 MiB). */
  body: Buffer;
  /** Body as application/x-www-form-urlencoded. */
  form(): URLSearchParams;
  /** Body as JSON (undefined when empty); throws HttpError 400 when invalid. */
  json(): unknown;
  /** The client's correlation id (msal sends `client-request-id`) or a fresh one. */
  correlationId: string;
}

export interface SimResult {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type Handler = (req: SimRequest) => SimResult | Promise<SimResult>;

export interface Route {
  method: HttpMethod;
  /** Pattern like `/:tenant/oauth2/v2.0/token`; `:name` matches one segment. Case-insensitive literals. */
  path: string;
  handler: Handler;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface CompiledRoute extends Route {
  segments: string[];
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(...routes: Route[]): this {
    for (const r of routes) this.routes.push({ ...r, segments: splitPath(r.path) });
    return this;
  }

  match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | { allowed: string[] } | null {
    const segs = splitPath(path);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segs);
      if (!params) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { allowed } : null;
  }
}

function splitPath(p: string): string[] {
  return p.split("/").filter((s) => s.length > 0);
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const a = actual[i]!;
    if (p.startsWith(":")) params[p.slice(1)] = a;
    else if (p.toLowerCase() !== a.toLowerCase()) return null;
  }
  return params;
}

const MAX_BODY = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new HttpError(413, "Request body too large");
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export async function dispatch(router: Router, req: IncomingMessage, res: ServerResponse, baseUrl: string, log: (line: string) => void): Promise<void> {
  let result: SimResult;
  const started = Date.now();
  const url = new URL(req.url ?? "/", baseUrl);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    path = url.pathname;
  }
  try {
    const matched = router.match(req.method ?? "GET", path);
    if (!matched) {
      result = json(404, { error: "not_found", error_description: `No route for ${req.method} ${url.pathname}` });
    } else if ("allowed" in matched) {
      result = json(405, { error: "method_not_allowed", allowed: matched.allowed }, { Allow: matched.allowed.join(", ") });
    } else {
      const body = await readBody(req);
      const correlationHeader = req.headers["client-request-id"];
      const correlationId = typeof correlationHeader === "string" && /^[0-9a-f-]{36}$/i.test(correlationHeader) ? correlationHeader : randomUUID();
      const simReq: SimRequest = {
        method: req.method ?? "GET",
        url,
        path,
        query: url.searchParams,
        headers: req.headers,
        params: matched.params,
        body,
        correlationId,
        form: () => new URLSearchParams(body.toString("utf8")),
        json: () => {
          if (body.length === 0) return undefined;
          try {
            return JSON.parse(body.toString("utf8")) as unknown;
          } catch {
            throw new HttpError(400, "Body is not valid JSON");
          }
        },
      };
      result = await matched.route.handler(simReq);
    }
  } catch (err) {
    if (err instanceof HttpError) {
      result = json(err.status, { error: "bad_request", error_description: err.message });
    } else if (err instanceof z.ZodError) {
      result = json(400, { error: "invalid_request", error_description: "Request validation failed", issues: err.issues });
    } else {
      log(`ERROR ${req.method} ${url.pathname}: ${(err as Error).stack ?? String(err)}`);
      result = json(500, { error: "server_error", error_description: "Internal simulator error" });
    }
  }
  res.writeHead(result.status, { "x-ms-request-id": randomUUID(), ...(result.headers ?? {}) });
  res.end(result.body ?? "");
  // Paths only: query strings may carry codes or state, bodies may carry secrets.
  log(`${req.method} ${url.pathname} -> ${result.status} (${Date.now() - started} ms)`);
}

// ---------------------------------------------------------------------------------------------
// Result helpers
// ---------------------------------------------------------------------------------------------

const NO_STORE = { "Cache-Control": "no-store, no-cache", Pragma: "no-cache" };

export function json(status: number, value: unknown, headers: Record<string, string> = {}): SimResult {
  return { status, headers: { "Content-Type": "application/json; charset=utf-8", ...NO_STORE, ...headers }, body: JSON.stringify(value) };
}

export function htmlResult(status: number, body: string): SimResult {
  return {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      ...NO_STORE,
      "X-Frame-Options": "DENY",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action *; script-src 'unsafe-inline'",
      "Referrer-Policy": "no-referrer",
    },
    body,
  };
}

export function redirect(location: string): SimResult {
  return { status: 302, headers: { Location: location, ...NO_STORE }, body: "" };
}

/** Appends params to a redirect URI (query), keeping any query it already has. */
export function withQuery(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.append(k, v);
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Request counters
// ---------------------------------------------------------------------------------------------

/** `{ "<endpoint-name>": { "<tenantId or '-'>": n } }`; token requests also under `token:{resourceUri}`. */
export class RequestCounters {
  private counts: Record<string, Record<string, number>> = {};

  hit(name: string, tenantKey: string | undefined): void {
    const bucket = (this.counts[name] ??= {});
    const key = tenantKey ?? "-";
    bucket[key] = (bucket[key] ?? 0) + 1;
  }

  snapshot(): Record<string, Record<string, number>> {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = {};
  }
}
