import pg from "pg";
import type { ExpectedSchema, ExpectedTable } from "./prisma-schema.ts";

/** Reads the same shape as parsePrismaSchema from a live database's catalog (schema `public`). */
export async function readDatabaseShape(url: string): Promise<ExpectedSchema> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const enums: Record<string, string[]> = {};
    const enumRows = await client.query<{ name: string; value: string }>(`
      SELECT t.typname AS name, e.enumlabel AS value FROM pg_type t
      JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`);
    for (const r of enumRows.rows) (enums[r.name] ??= []).push(r.value);

    const tables = new Map<string, ExpectedTable>();
    const cols = await client.query<{ table: string; name: string; type: string; nullable: boolean; has_default: boolean }>(`
      SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
             NOT a.attnotnull AS nullable, a.atthasdef AS has_default
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname <> '_prisma_migrations'
      ORDER BY c.relname, a.attnum`);
    for (const r of cols.rows) {
      const t = tables.get(r.table) ?? { name: r.table, columns: [], indexes: [], foreignKeys: [] };
      t.columns.push({ name: r.name, type: r.type, nullable: r.nullable, hasDefault: r.has_default });
      tables.set(r.table, t);
    }
    const idx = await client.query<{ table: string; name: string; columns: string[]; method: string; unique: boolean; primary: boolean }>(`
      SELECT c.relname AS table, i.relname AS name, am.amname AS method, ix.indisunique AS unique, ix.indisprimary AS primary,
             ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
      FROM pg_index ix JOIN pg_class c ON c.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_am am ON am.oid = i.relam
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relname <> '_prisma_migrations'`);
    for (const r of idx.rows) tables.get(r.table)?.indexes.push({ name: r.name, columns: r.columns, method: r.method, unique: r.unique, primary: r.primary });
    const fks = await client.query<{
      table: string;
      name: string;
      columns: string[];
      ref_table: string;
      ref_columns: string[];
      on_delete: string;
      on_update: string;
    }>(`
      SELECT c.relname AS table, con.conname AS name, rt.relname AS ref_table,
        ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS columns,
        ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS ref_columns,
        CASE con.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT' WHEN 'a' THEN 'NO ACTION' ELSE 'SET DEFAULT' END AS on_delete,
        CASE con.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT' WHEN 'a' THEN 'NO ACTION' ELSE 'SET DEFAULT' END AS on_update
      FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class rt ON rt.oid = con.confrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE con.contype = 'f' AND n.nspname = 'public'`);
    for (const r of fks.rows) {
      tables.get(r.table)?.foreignKeys.push({
        name: r.name,
        columns: r.columns,
        refTable: r.ref_table,
        refColumns: r.ref_columns,
        onDelete: r.on_delete,
        onUpdate: r.on_update,
      });
    }
    return { enums, tables: [...tables.values()] };
  } finally {
    await client.end();
  }
}

/** Both shapes in a canonical, sorted form, so a deepStrictEqual diff reads well. */
export function canonicalShape(s: ExpectedSchema) {
  const byName = <T extends { name: string }>(a: T[]) => [...a].sort((x, y) => x.name.localeCompare(y.name));
  return {
    enums: Object.fromEntries(Object.entries(s.enums).sort(([a], [b]) => a.localeCompare(b))),
    tables: byName(s.tables).map((t) => ({
      name: t.name,
      columns: byName(t.columns).map((c) => ({ ...c, type: c.type.replace(/"/g, "") })),
      indexes: byName(t.indexes),
      foreignKeys: byName(t.foreignKeys),
    })),
  };
}
