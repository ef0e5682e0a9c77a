import path from "node:path";

/**
 * `layers/client-boundary`: a module that starts with "use client" is shipped to the browser, so it must not import
 * the server's layers (the database, Microsoft clients, the data-access layer, the sync). Scoped by the directive
 * itself, not by a file list or naming convention, so a new client component cannot slip past it. Catches the
 * `@/` alias and relative paths alike; type-only imports are allowed (erased at build, nothing ships).
 */
export const clientBoundary = {
  meta: {
    type: "problem",
    docs: { description: 'Modules with "use client" never import server-only layers.' },
    schema: [
      {
        type: "object",
        properties: { forbidden: { type: "array", items: { type: "string" } } },
        additionalProperties: false,
      },
    ],
    messages: {
      forbidden:
        'A "use client" module cannot import {{target}}: it runs in the browser. Read data in a server component or a server action (lib/actions) and pass plain values as props.',
    },
  },
  create(context) {
    const body = context.sourceCode.ast.body;
    const isClient = body.some((node) => node.type === "ExpressionStatement" && node.directive === "use client");
    if (!isClient) return {};
    const forbidden = context.options[0]?.forbidden ?? [];
    const root = context.cwd;
    const dir = path.dirname(context.filename);

    /** The import as a project path ("lib/data/customers"), or null for a package. */
    const projectPath = (source) => {
      if (source.startsWith("@/")) return source.slice(2);
      if (source.startsWith(".")) return path.relative(root, path.resolve(dir, source)).split(path.sep).join("/");
      return null;
    };
    const check = (node, source, typeOnly) => {
      if (typeOnly || typeof source !== "string") return;
      const target = projectPath(source);
      if (!target) return;
      const hit = forbidden.find((f) => target === f || target.startsWith(`${f}/`) || target.startsWith(`${f}.`));
      if (hit) context.report({ node, messageId: "forbidden", data: { target: source } });
    };
    const allTypes = (node) => node.importKind === "type" || (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === "type"));
    return {
      ImportDeclaration: (node) => check(node, node.source.value, allTypes(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === "type"),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === "type"),
      ImportExpression: (node) => node.source.type === "Literal" && check(node, node.source.value, false),
    };
  },
};

const layers = { rules: { "client-boundary": clientBoundary } };

export default layers;
