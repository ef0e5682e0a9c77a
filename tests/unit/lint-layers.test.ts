import assert from "node:assert/strict";
import { test } from "node:test";
import { ESLint } from "eslint";

/**
 * The layering rules of eslint.config.mjs, run through ESLint with the project's own config on code that is not in
 * the repository (lintText with a file path): what a violation looks like, and what stays allowed.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === "layers/client-boundary" || m.ruleId === "no-restricted-imports").map((m) => `${m.ruleId}: ${m.message}`);
}

const client = (imports: string) => `"use client";\n${imports}\nexport function X() { return null; }\n`;

test('a "use client" module cannot import the database, Microsoft, the data layer or the sync, by alias or relative path', async () => {
  const cases: [string, string][] = [
    ["components/customers/x.tsx", 'import { db } from "@/lib/db/client";'],
    ["components/customers/x.tsx", 'import { listCustomers } from "@/lib/data/customers";'],
    ["components/customers/x.tsx", 'import { apiClient } from "@/lib/microsoft/clients";'],
    ["components/customers/x.tsx", 'import { runFeedSync } from "@/lib/sync/run";'],
    ["components/customers/x.tsx", 'import { PrismaClient } from "@/lib/generated/prisma/client";'],
    ["components/customers/x.tsx", 'import { listCustomers } from "../../lib/data/customers.ts";'],
    ["components/x.tsx", 'import { db } from "../lib/db";'],
    ["app/(portal)/customers/x.tsx", 'import { db } from "../../../lib/db/client";'],
    ["components/customers/x.tsx", 'export { listCustomers } from "@/lib/data/customers";'],
    ["components/customers/x.tsx", 'const m = await import("@/lib/data/customers");'],
  ];
  for (const [file, code] of cases) {
    const found = await problems(file, client(code));
    assert.equal(found.length, 1, `${file}: ${code} → ${JSON.stringify(found)}`);
    assert.match(found[0]!, /layers\/client-boundary: A "use client" module cannot import/);
  }
});

test("client modules may import actions, pure modules and types; server components may import the data layer", async () => {
  assert.deepEqual(await problems("components/x.tsx", client('import { createLinkAction } from "@/lib/actions/customers";')), []);
  assert.deepEqual(await problems("components/x.tsx", client('import type { Result } from "@/lib/result";')), []);
  assert.deepEqual(await problems("components/x.tsx", client('import type { CustomerListQuery } from "@/lib/data/customers";')), []);
  assert.deepEqual(await problems("components/x.tsx", client('import { type CustomerListQuery } from "@/lib/data/customers";')), []);
  assert.deepEqual(await problems("components/x.tsx", client('import { Button } from "./ui/primitives";')), []);
  // "use client" must be the directive: the words elsewhere (a string, a comment) do not make a client module.
  assert.deepEqual(await problems("components/x.tsx", 'import { listCustomers } from "@/lib/data/customers";\nexport const note = "use client";\n'), []);
  assert.deepEqual(
    await problems("app/(portal)/x/page.tsx", 'import { listCustomers } from "@/lib/data/customers";\nexport default function P() { return null; }\n'),
    [],
  );
});

test("nothing outside app/ imports from app/; app/ itself may", async () => {
  for (const [file, source] of [
    ["components/x.tsx", "@/app/(portal)/actions"],
    ["lib/data/x.ts", "../../app/(portal)/actions"],
    ["tests/e2e/x.ts", "../../app/layout"],
    ["proxy.ts", "./app/page"],
    ["lib/x.ts", "@/app"],
  ] as const) {
    const found = await problems(file, `import { x } from "${source}";\nexport const y = x;\n`);
    assert.equal(found.length, 1, `${file} importing ${source} → ${JSON.stringify(found)}`);
    assert.match(found[0]!, /no-restricted-imports: .*not from app\//);
  }
  assert.deepEqual(await problems("app/(portal)/x/page.tsx", 'import { x } from "@/app/(portal)/y";\nexport const y = x;\n'), []);
  // Packages whose names merely contain "app" are not app/.
  assert.deepEqual(await problems("lib/x.ts", 'import { x } from "next/app";\nimport { y } from "../lib/apps";\nexport const z = [x, y];\n'), []);
});
