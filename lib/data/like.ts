/**
 * Prisma's `contains`/`startsWith`/`endsWith` become LIKE/ILIKE with the value as the pattern, unescaped
 * (prisma/prisma#19506): a search for "100%" or "a_b" would match far more than typed. PostgreSQL's LIKE escapes
 * with a backslash by default, so the backslash itself is escaped first, then `%` and `_`.
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
