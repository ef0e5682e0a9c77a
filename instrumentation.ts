// Next calls register() once when the server starts (before the first request) and onRequestError for every error a
// page, route handler or server action throws (https://nextjs.org/docs/app/guides/instrumentation).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // JSON logs, request ids and the web duration histogram (lib/ops/web.ts; scripts/serve.mjs calls into it).
  const { installWebOps } = await import("./lib/ops/web.ts");
  installWebOps();
}

export async function onRequestError(
  err: unknown,
  request: { path: string; method: string; headers: Record<string, string | string[] | undefined> },
  context: { routerKind: string; routePath: string; routeType: string; renderSource?: string },
) {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { log } = await import("./lib/ops/log.ts");
  const requestId = request.headers["x-request-id"];
  // The route pattern, not request.path (ids, consent state in /onboard/…); the error's name, message and digest only.
  log.error("request failed", {
    err,
    method: request.method,
    route: context.routePath,
    routeType: context.routeType,
    ...(context.renderSource ? { renderSource: context.renderSource } : {}),
    ...(typeof requestId === "string" ? { requestId } : {}),
  });
}
