import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import layers from "./eslint-rules/client-boundary.mjs";

/**
 * Next's core-web-vitals and TypeScript rules (typescript-eslint's recommended set), plus the layering of
 * ../shared/CONVENTIONS.md held by the linter: the browser never gets the server's layers, and nothing reaches up
 * into app/ (routes import features, never the other way round).
 */
export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", ".data/**", "dist/**", "lib/generated/**", "node_modules/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
  {
    plugins: { layers },
    rules: {
      // A leading underscore marks a parameter a signature requires but the body does not use (useActionState's prev).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "layers/client-boundary": ["error", { forbidden: ["lib/db", "lib/microsoft", "lib/data", "lib/sync", "lib/generated"] }],
    },
  },
  {
    // Playwright fixtures hand their value to `use()`, which is not React's hook of that name.
    files: ["tests/e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // Routes and pages sit at the top: components, lib, scripts and tests use features, not routes.
    ignores: ["app/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(@/app(/|$)|(\\.\\./)+app(/|$)|\\./app(/|$))",
              message: "Import from lib/ or components/, not from app/: routes sit on top of the layers (server actions live in lib/actions).",
            },
          ],
        },
      ],
    },
  },
]);
