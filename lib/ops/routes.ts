import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Maps a request path to the route pattern Next built it from ("/incidents/[id]", never "/incidents/4f1c…"), so the
 * web duration histogram has one series per route, not one per id. The patterns come from the build's own
 * `.next/routes-manifest.json` (static and dynamic routes, with the regexes Next itself matches with).
 */
export type RequestKind = "page" | "rsc" | "action" | "api" | "static" | "other";

interface Manifest {
  staticRoutes?: { page: string }[];
  dynamicRoutes?: { page: string; regex: string }[];
}
interface RouteTable {
  exact: Set<string>;
  dynamic: { page: string; regex: RegExp }[];
}

export const UNMATCHED_ROUTE = "(unmatched)";

export function loadRouteTable(distDir = join(process.cwd(), ".next")): RouteTable {
  try {
    const m = JSON.parse(readFileSync(join(distDir, "routes-manifest.json"), "utf8")) as Manifest;
    return {
      exact: new Set((m.staticRoutes ?? []).map((r) => r.page)),
      dynamic: (m.dynamicRoutes ?? []).map((r) => ({ page: r.page, regex: new RegExp(r.regex) })),
    };
  } catch {
    // No build (next dev): every request is "(unmatched)" rather than a series per URL.
    return { exact: new Set(), dynamic: [] };
  }
}

export function classifyRequest(
  table: RouteTable,
  req: { method: string; url: string; headers: Record<string, string | string[] | undefined> },
): { route: string; kind: RequestKind } {
  let path: string;
  try {
    path = new URL(req.url, "http://x").pathname;
  } catch {
    return { route: UNMATCHED_ROUTE, kind: "other" };
  }
  if (path.startsWith("/_next/static/")) return { route: "/_next/static", kind: "static" };
  if (path.startsWith("/_next/image")) return { route: "/_next/image", kind: "static" };
  if (path === "/favicon.ico") return { route: "/favicon.ico", kind: "static" };
  // Segment prefetches and .rsc payloads belong to the page they render.
  const pagePath = path.replace(/\.segments\/.*$/, "").replace(/\.rsc$/, "") || "/";
  const kind: RequestKind = req.headers["next-action"]
    ? "action"
    : pagePath.startsWith("/api/")
      ? "api"
      : req.headers["rsc"] || path.endsWith(".rsc") || path.includes(".segments/")
        ? "rsc"
        : "page";
  const route = table.exact.has(pagePath) ? pagePath : (table.dynamic.find((d) => d.regex.test(pagePath))?.page ?? UNMATCHED_ROUTE);
  return { route, kind };
}
