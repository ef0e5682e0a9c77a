/**
 * Reads the subset of schema.prisma this project uses (models, scalar/enum/relation fields, @id, @unique, @default,
 * @db.*, @relation, @@index, @@unique, enums) into the database shape Prisma's migrate would create for PostgreSQL.
 * The native engine that could tell us this (`prisma migrate diff`) cannot be downloaded here.
 */
export interface ExpectedColumn {
  name: string;
  type: string; // as format_type() prints it
  nullable: boolean;
  hasDefault: boolean;
}
export interface ExpectedIndex {
  name: string;
  columns: string[];
  /** Access method: btree unless the schema says `type: Gin` etc. */
  method: string;
  unique: boolean;
  primary: boolean;
}
export interface ExpectedForeignKey {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string; // CASCADE | SET NULL | RESTRICT | NO ACTION
  onUpdate: string;
}
export interface ExpectedTable {
  name: string;
  columns: ExpectedColumn[];
  indexes: ExpectedIndex[];
  foreignKeys: ExpectedForeignKey[];
}
export interface ExpectedSchema {
  enums: Record<string, string[]>;
  tables: ExpectedTable[];
}

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Bytes: "bytea",
};
const NATIVE_TYPES: Record<string, (arg?: string) => string> = {
  Uuid: () => "uuid",
  Timestamptz: (p) => `timestamp(${p ?? "6"}) with time zone`,
  Timestamp: (p) => `timestamp(${p ?? "6"}) without time zone`,
  Text: () => "text",
  VarChar: (n) => (n ? `character varying(${n})` : "character varying"),
  Integer: () => "integer",
  BigInt: () => "bigint",
  SmallInt: () => "smallint",
  JsonB: () => "jsonb",
};
const REFERENTIAL: Record<string, string> = {
  Cascade: "CASCADE",
  SetNull: "SET NULL",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetDefault: "SET DEFAULT",
};

function stripComments(src: string): string {
  return src
    .split("\n")
    .map((l) => l.replace(/\/\/.*$/, ""))
    .join("\n");
}

function listArg(attr: string, key: string | null): string[] {
  const re = key ? new RegExp(`${key}\\s*:\\s*\\[([^\\]]*)\\]`) : /\(\s*\[([^\]]*)\]/;
  const m = attr.match(re);
  return m
    ? m[1]!
        .split(",")
        .map((s) => s.trim().replace(/\(.*\)$/, ""))
        .filter(Boolean)
    : [];
}

export function parsePrismaSchema(source: string): ExpectedSchema {
  const src = stripComments(source);
  const enums: Record<string, string[]> = {};
  for (const m of src.matchAll(/enum\s+(\w+)\s*\{([^}]*)\}/g)) {
    enums[m[1]!] = m[2]!.split(/\s+/).filter((w) => w && !w.startsWith("@"));
  }
  const models = [...src.matchAll(/model\s+(\w+)\s*\{([\s\S]*?)\n\}/g)].map((m) => ({ name: m[1]!, body: m[2]! }));
  const modelNames = new Set(models.map((m) => m.name));
  const tables: ExpectedTable[] = [];
  for (const model of models) {
    const columns: ExpectedColumn[] = [];
    const indexes: ExpectedIndex[] = [];
    const foreignKeys: ExpectedForeignKey[] = [];
    const lines = model.body
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    for (const line of lines) {
      if (line.startsWith("@@")) {
        const cols = listArg(line, null);
        const method = (/\btype:\s*(\w+)/.exec(line)?.[1] ?? "btree").toLowerCase();
        if (line.startsWith("@@index")) indexes.push({ name: `${model.name}_${cols.join("_")}_idx`, columns: cols, method, unique: false, primary: false });
        else if (line.startsWith("@@unique"))
          indexes.push({ name: `${model.name}_${cols.join("_")}_key`, columns: cols, method, unique: true, primary: false });
        else if (line.startsWith("@@id")) indexes.push({ name: `${model.name}_pkey`, columns: cols, method, unique: true, primary: true });
        else throw new Error(`schema parser: unsupported block attribute ${line}`);
        continue;
      }
      const m = line.match(/^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/);
      if (!m) throw new Error(`schema parser: cannot read line "${line}" in ${model.name}`);
      const [, field, type, list, optional, attrs] = m as unknown as [string, string, string, string | undefined, string | undefined, string];
      if (modelNames.has(type)) {
        const rel = attrs.match(/@relation\(([^)]*)\)/);
        if (rel && rel[1]!.includes("fields")) {
          const fields = listArg(rel[1]!, "fields");
          const refs = listArg(rel[1]!, "references");
          const onDelete = rel[1]!.match(/onDelete\s*:\s*(\w+)/)?.[1];
          const onUpdate = rel[1]!.match(/onUpdate\s*:\s*(\w+)/)?.[1];
          const fieldsOptional = lines.some((l) => new RegExp(`^${fields[0]}\\s+\\w+\\?`).test(l));
          foreignKeys.push({
            name: `${model.name}_${fields.join("_")}_fkey`,
            columns: fields,
            refTable: type,
            refColumns: refs,
            // Prisma's defaults: Restrict for a required relation, SetNull for an optional one; Cascade on update.
            onDelete: onDelete ? REFERENTIAL[onDelete]! : fieldsOptional ? "SET NULL" : "RESTRICT",
            onUpdate: onUpdate ? REFERENTIAL[onUpdate]! : "CASCADE",
          });
        }
        continue;
      }
      let sqlType: string;
      const native = attrs.match(/@db\.(\w+)(?:\(([^)]*)\))?/);
      if (native) {
        const f = NATIVE_TYPES[native[1]!];
        if (!f) throw new Error(`schema parser: unsupported native type @db.${native[1]}`);
        sqlType = f(native[2]);
      } else if (enums[type]) {
        sqlType = `"${type}"`;
      } else if (SCALAR_TYPES[type]) {
        sqlType = SCALAR_TYPES[type]!;
      } else {
        throw new Error(`schema parser: unknown type ${type}`);
      }
      if (list) sqlType += "[]";
      const isId = /@id\b/.test(attrs);
      const autoinc = /@default\(autoincrement\(\)\)/.test(attrs);
      // Prisma creates scalar lists without NOT NULL.
      columns.push({
        name: field,
        type: autoinc && sqlType === "bigint" ? "bigint" : sqlType,
        nullable: Boolean(optional) || Boolean(list),
        // uuid()/cuid() defaults are generated by the client, not the database.
        hasDefault: /@default\((?!uuid\(\)|cuid\(\))/.test(attrs),
      });
      if (isId) indexes.push({ name: `${model.name}_pkey`, columns: [field], method: "btree", unique: true, primary: true });
      if (/@unique\b/.test(attrs)) indexes.push({ name: `${model.name}_${field}_key`, columns: [field], method: "btree", unique: true, primary: false });
    }
    tables.push({ name: model.name, columns, indexes, foreignKeys });
  }
  return { enums, tables };
}
