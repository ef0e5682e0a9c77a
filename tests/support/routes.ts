import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * Every page and route handler of the app, found by walking app/ — so a new route cannot be left out of the
 * isolation walk. Route groups "(x)" vanish from URLs; dynamic segments stay as "[name]".
 */
export interface AppRoute {
  pattern: string; // e.g. /customers/[id]
  kind: "page" | "route";
  file: string;
}

export function listAppRoutes(appDir = "app"): AppRoute[] {
  const out: AppRoute[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (/^(page|route)\.(tsx?|jsx?)$/.test(entry)) {
        const segments = relative(appDir, dir)
          .split(sep)
          .filter((s) => s && !/^\(.*\)$/.test(s));
        out.push({ pattern: `/${segments.join("/")}`, kind: entry.startsWith("page") ? "page" : "route", file: full });
      }
    }
  };
  walk(appDir);
  return out.sort((a, b) => a.pattern.localeCompare(b.pattern));
}
