// The OData subset the Defender and Graph security list endpoints document: `$filter` with comparisons joined by
// `and` on a per-API list of properties, `$top` (capped or rejected per API), `$skip`, `$count`, `$expand`.
// Anything else (`or`, `not`, functions, `in`, unknown properties, `$orderby`, `$select`, ...) is rejected with a
// 400, as the docs list only these operators (defender-xdr/api-list-incidents.md, defender-endpoint/api/get-alerts.md,
// graph api-reference/v1.0/api/security-list-incidents.md, security-list-alerts_v2.md).

export class ODataError extends Error {}

export type FieldKind = "date" | "string" | "enum" | "number";
export interface FieldDef<T> {
  kind: FieldKind;
  get(item: T): string | number | null;
}
/** Keyed by lower-cased property name. UNCONFIRMED: property names are matched case-insensitively (the MDE docs
 * themselves spell `InvestigationId` and `asssignedTo`). */
export type Fields<T> = Record<string, FieldDef<T>>;
export type Predicate<T> = (item: T) => boolean;

type Token = { kind: "lparen" | "rparen" } | { kind: "string"; value: string } | { kind: "word"; value: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "(") {
      out.push({ kind: "lparen" });
      i++;
    } else if (c === ")") {
      out.push({ kind: "rparen" });
      i++;
    } else if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new ODataError("Unterminated string literal in $filter.");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      out.push({ kind: "string", value });
    } else {
      let value = "";
      while (i < text.length && !" \t()'".includes(text[i]!)) value += text[i++];
      out.push({ kind: "word", value });
    }
  }
  return out;
}

const OPS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:\d{2})?$/i;

function parseDate(s: string): number {
  if (!DATE_RE.test(s)) throw new ODataError(`'${s}' is not a valid DateTimeOffset literal.`);
  // Sub-millisecond digits are dropped: stored times have millisecond precision.
  const normal = s.replace(/(\.\d{3})\d+/, "$1");
  const ms = Date.parse(/T/i.test(normal) ? normal : `${normal}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new ODataError(`'${s}' is not a valid DateTimeOffset literal.`);
  return ms;
}

export function parseFilter<T>(text: string, fields: Fields<T>): Predicate<T> {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];

  const expr = (): Predicate<T> => {
    const parts = [term()];
    for (;;) {
      const t = peek();
      if (!t || t.kind === "rparen") break;
      if (t.kind === "word" && t.value.toLowerCase() === "and") {
        pos++;
        parts.push(term());
        continue;
      }
      if (t.kind === "word" && t.value.toLowerCase() === "or") throw new ODataError("The 'or' operator is not supported.");
      throw new ODataError(`Syntax error at '${t.kind === "word" || t.kind === "string" ? t.value : t.kind}'.`);
    }
    return parts.length === 1 ? parts[0]! : (item) => parts.every((p) => p(item));
  };

  const term = (): Predicate<T> => {
    const t = peek();
    if (!t) throw new ODataError("Unexpected end of $filter.");
    if (t.kind === "lparen") {
      pos++;
      const inner = expr();
      if (peek()?.kind !== "rparen") throw new ODataError("Missing ')' in $filter.");
      pos++;
      return inner;
    }
    if (t.kind !== "word") throw new ODataError("A property name was expected.");
    const name = t.value;
    pos++;
    if (name.toLowerCase() === "not") throw new ODataError("The 'not' operator is not supported.");
    if (peek()?.kind === "lparen") throw new ODataError(`The function '${name}' is not supported.`);
    const field = fields[name.toLowerCase()];
    if (!field) throw new ODataError(`Filtering on property '${name}' is not supported.`);
    const opTok = peek();
    if (!opTok || opTok.kind !== "word") throw new ODataError("A comparison operator was expected.");
    const op = opTok.value.toLowerCase();
    if (!OPS.has(op)) throw new ODataError(`The operator '${opTok.value}' is not supported.`);
    pos++;
    const litTok = peek();
    if (!litTok || !("value" in litTok)) throw new ODataError("A literal was expected.");
    pos++;
    return comparison(field, op, litTok);
  };

  const comparison = (field: FieldDef<T>, op: string, lit: Extract<Token, { value: string }>): Predicate<T> => {
    if (lit.kind === "word" && lit.value.toLowerCase() === "null") {
      if (op !== "eq" && op !== "ne") throw new ODataError("null can only be compared with eq or ne.");
      return op === "eq" ? (i) => field.get(i) === null : (i) => field.get(i) !== null;
    }
    let value: string | number;
    switch (field.kind) {
      case "date":
        if (lit.kind !== "word") throw new ODataError("A DateTimeOffset literal is not quoted.");
        value = parseDate(lit.value);
        break;
      case "number":
        if (lit.kind !== "word" || !/^-?\d+$/.test(lit.value)) throw new ODataError(`'${lit.value}' is not a valid number.`);
        value = Number(lit.value);
        break;
      case "string":
      case "enum":
        if (lit.kind !== "string") throw new ODataError("A string literal must be quoted.");
        if (op !== "eq" && op !== "ne") throw new ODataError(`The operator '${op}' is not supported for this property.`);
        value = field.kind === "enum" ? lit.value.toLowerCase() : lit.value;
        break;
    }
    const norm = field.kind === "enum" ? (v: string | number | null) => (typeof v === "string" ? v.toLowerCase() : v) : (v: string | number | null) => v;
    return (item) => {
      const v = norm(field.get(item));
      if (v === null) return op === "ne";
      switch (op) {
        case "eq":
          return v === value;
        case "ne":
          return v !== value;
        case "gt":
          return v > value;
        case "ge":
          return v >= value;
        case "lt":
          return v < value;
        default:
          return v <= value;
      }
    };
  };

  const result = expr();
  if (pos < tokens.length) throw new ODataError("Unexpected ')' in $filter.");
  return result;
}

export interface ListQuery<T> {
  filter: Predicate<T> | null;
  top: number;
  skip: number;
  count: boolean;
  expand: string | null;
}

export interface ListRules {
  /** Allowed system query options besides $filter/$top/$skip. */
  allowed: ReadonlySet<string>;
  defaultTop: number;
  maxTop: number;
  /** "error": $top above maxTop is a 400; "cap": silently capped. */
  overTop: "error" | "cap";
  expand: ReadonlySet<string>;
}

/** Parses the query string; throws ODataError for anything outside the documented subset. */
export function parseListQuery<T>(query: URLSearchParams, fields: Fields<T>, rules: ListRules): ListQuery<T> {
  const seen = new Set<string>();
  for (const key of query.keys()) {
    const k = key.toLowerCase();
    if (!k.startsWith("$")) continue;
    if (seen.has(k)) throw new ODataError(`Query option '${key}' was specified more than once.`);
    seen.add(k);
    if (!["$filter", "$top", "$skip"].includes(k) && !rules.allowed.has(k)) throw new ODataError(`Query option '${key}' is not supported.`);
  }
  const get = (name: string) => {
    for (const [k, v] of query) if (k.toLowerCase() === name) return v;
    return null;
  };
  const int = (name: string): number | null => {
    const v = get(name);
    if (v === null) return null;
    if (!/^\d+$/.test(v.trim())) throw new ODataError(`Invalid value '${v}' for ${name}.`);
    return Number(v.trim());
  };
  let top = int("$top") ?? rules.defaultTop;
  if (top > rules.maxTop) {
    // Message of ASP.NET OData's MaxTop validator, which these services run on (UNCONFIRMED for Defender).
    if (rules.overTop === "error")
      throw new ODataError(`The limit of '${rules.maxTop}' for Top query has been exceeded. The value from the incoming request is '${top}'.`);
    top = rules.maxTop;
  }
  const skip = int("$skip") ?? 0;
  const filterText = get("$filter");
  const countText = get("$count");
  if (countText !== null && !["true", "false"].includes(countText.toLowerCase())) throw new ODataError(`Invalid value '${countText}' for $count.`);
  const expandText = get("$expand");
  let expand: string | null = null;
  if (expandText !== null) {
    const e = expandText.trim().toLowerCase();
    if (!rules.expand.has(e)) throw new ODataError(`Expanding '${expandText}' is not supported.`);
    expand = e;
  }
  return {
    filter: filterText !== null && filterText.trim() !== "" ? parseFilter(filterText, fields) : null,
    top,
    skip,
    count: countText?.toLowerCase() === "true",
    expand,
  };
}
