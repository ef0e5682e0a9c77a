import { readFileSync } from "node:fs";

/**
 * The node arguments of a production process as package.json's script runs it (`npm run serve`, `npm run worker:prod`:
 * "node <flags…> <file>"), so `npm start`, the tests and the bench run exactly what production runs, V8 flags included.
 */
export function productionNodeArgs(script: "serve" | "worker:prod"): string[] {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
  const [command, ...args] = pkg.scripts[script]!.trim().split(/\s+/);
  if (command !== "node") throw new Error(`package.json's "${script}" must start with node, got: ${pkg.scripts[script]}`);
  return args;
}
