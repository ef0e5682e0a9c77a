// A documented subset of the Kusto Query Language (KQL) for the simulator's advanced hunting API
// (graph-docs security-security-runhuntingquery.md). A real tokenizer, a recursive-descent parser and a tree-walking
// evaluator over in-memory rows; no eval, no regular expressions built from query text.
//
// Supported (anything else is a 400 naming what is not supported):
//   Tabular:   Table | op | op ...          (one statement; `//` comments; no `let`, no `;`)
//   Operators: where / filter <pred>
//              project a, b, c = <expr>       project-away a, b
//              extend x = <expr>, ...
//              summarize [name =] agg(...), ... [by col | name = <expr>, ...]
//                 aggregates count(), countif(p), dcount(x), min(x), max(x), sum(x), avg(x)
//                 default names as KQL: count_, countif_, dcount_X, min_X, max_X, sum_X, avg_X
//              sort by / order by <expr> [asc|desc], ...   (default desc)
//              top N by <expr> [asc|desc]                  take N / limit N
//              distinct a, b | distinct *                  count
//   Predicates: == != < <= > >= (case-sensitive strings), =~ !~ (case-insensitive equality),
//              contains !contains has !has startswith !startswith endswith !endswith (case-insensitive;
//              *_cs variants case-sensitive), in (...) !in (...) (case-sensitive), in~ !in~, between (a .. b) (also datetime .. timespan),
//              !between, and, or, not(...)
//              `has` matches whole terms: the match must not be preceded or followed by an ASCII letter or digit.
//   Scalars:   string ('..', "..", @'..'), long, real, bool, timespan (1d, 2h, 30m, 10s, 100ms), datetime(...),
//              now(), ago(ts), + - * / %, strcat, tolower, toupper, tostring, tolong, toint, todouble, strlen,
//              isempty, isnotempty, isnull, isnotnull, bin(x, size), iff(p, a, b)
// Identifiers are case-sensitive, as in KQL. dcount is exact here (KQL's is an estimate). Error wording follows
// defender-xdr advanced-hunting-errors.md ("'project' operator: Failed to resolve scalar expression named 'x'") and
// Kusto's parser ("Query could not be parsed at 'x' on line [l,c]").

export type KType = "string" | "long" | "int" | "real" | "bool" | "datetime" | "timespan" | "dynamic";
export type Value = string | number | boolean | null | object;
export type Row = Record<string, Value>;
export interface Column {
  name: string;
  type: KType;
}
export interface Table {
  columns: readonly Column[];
  rows: readonly Row[];
}
export interface QueryResult {
  columns: Column[];
  rows: Row[];
  /** Rows read from the source table (what the CPU cost is computed from). */
  scanned: number;
}

/** A query the simulator refuses: the message is the one the API returns (400 BadRequest). */
export class KqlError extends Error {}

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

type TokKind = "ident" | "string" | "number" | "timespan" | "datetime" | "op" | "eof";
interface Tok {
  kind: TokKind;
  text: string;
  /** Parsed value for literals. */
  value?: number | string;
  line: number;
  col: number;
  /** Offset just after the token (adjacency checks). */
  end: number;
  start: number;
}

const TIMESPAN_UNITS: Record<string, number> = {
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
};
const OPS = ["==", "!=", "=~", "!~", "<=", ">=", "..", "|", "(", ")", ",", "=", "<", ">", "+", "-", "*", "/", "%", "[", "]", ";", "{", "}", ":", "."];

const isIdStart = (c: string) => /[A-Za-z_$]/.test(c);
const isIdPart = (c: string) => /[A-Za-z0-9_$]/.test(c);
const isDigit = (c: string) => c >= "0" && c <= "9";

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const push = (kind: TokKind, start: number, text: string, value?: number | string) =>
    out.push({ kind, text, line, col: start - lineStart + 1, start, end: i, ...(value !== undefined ? { value } : {}) });
  const fail = (at: number, what: string): never => {
    throw new KqlError(`Query could not be parsed at '${what}' on line [${line},${at - lineStart + 1}]`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "/") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    const start = i;
    // Strings: '...' or "..." with backslash escapes; @'...' / @"..." verbatim (a doubled quote is one quote).
    if (c === "'" || c === '"' || (c === "@" && (src[i + 1] === "'" || src[i + 1] === '"'))) {
      const verbatim = c === "@";
      if (verbatim) i++;
      const q = src[i]!;
      i++;
      let s = "";
      for (;;) {
        if (i >= src.length || src[i] === "\n") fail(start, src.slice(start, Math.min(src.length, start + 20)));
        const ch = src[i]!;
        if (ch === q) {
          if (verbatim && src[i + 1] === q) {
            s += q;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === "\\" && !verbatim) {
          const n = src[i + 1];
          const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };
          if (n === undefined || !(n in map)) fail(i, `\\${n ?? ""}`);
          s += map[n!]!;
          i += 2;
          continue;
        }
        s += ch;
        i++;
      }
      push("string", start, src.slice(start, i), s);
      continue;
    }
    if (isDigit(c) || (c === "." && isDigit(src[i + 1] ?? ""))) {
      while (i < src.length && isDigit(src[i]!)) i++;
      if (src[i] === "." && isDigit(src[i + 1] ?? "")) {
        i++;
        while (i < src.length && isDigit(src[i]!)) i++;
      }
      if ((src[i] === "e" || src[i] === "E") && (isDigit(src[i + 1] ?? "") || ((src[i + 1] === "-" || src[i + 1] === "+") && isDigit(src[i + 2] ?? "")))) {
        i += 2;
        while (i < src.length && isDigit(src[i]!)) i++;
      }
      const num = Number(src.slice(start, i));
      if (i < src.length && isIdStart(src[i]!)) {
        const us = i;
        while (i < src.length && isIdPart(src[i]!)) i++;
        const unit = src.slice(us, i);
        const mult = TIMESPAN_UNITS[unit];
        if (mult === undefined) fail(start, src.slice(start, i));
        push("timespan", start, src.slice(start, i), num * mult!);
        continue;
      }
      push("number", start, src.slice(start, i), num);
      continue;
    }
    if (isIdStart(c)) {
      while (i < src.length && isIdPart(src[i]!)) i++;
      let word = src.slice(start, i);
      // datetime(...) takes a raw literal: datetime(2024-01-01), datetime(2024-01-01T08:00:00Z), datetime("...")
      let open = i;
      while (open < src.length && (src[open] === " " || src[open] === "\t")) open++;
      if (word === "datetime" && src[open] === "(") {
        const close = src.indexOf(")", open);
        if (close < 0) fail(start, word);
        let raw = src.slice(open + 1, close).trim();
        if (/^(['"]).*\1$/.test(raw)) raw = raw.slice(1, -1);
        i = close + 1;
        push("datetime", start, src.slice(start, i), raw);
        continue;
      }
      if (word === "in" && src[i] === "~") {
        i++;
        word = "in~";
      }
      push("ident", start, word);
      continue;
    }
    if (c === "!" && isIdStart(src[i + 1] ?? "")) {
      i++;
      while (i < src.length && isIdPart(src[i]!)) i++;
      let word = src.slice(start, i);
      if (word === "!in" && src[i] === "~") {
        i++;
        word = "!in~";
      }
      push("op", start, word);
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) fail(start, c);
    i += op!.length;
    push("op", start, op!);
  }
  out.push({ kind: "eof", text: "<end of query>", line, col: i - lineStart + 1, start: i, end: i });
  return out;
}

// ---------------------------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------------------------

export type Expr =
  | { k: "lit"; type: KType; value: Value }
  | { k: "col"; name: string; tok: Tok }
  | { k: "call"; name: string; args: Expr[]; tok: Tok }
  | { k: "bin"; op: string; l: Expr; r: Expr; tok: Tok }
  | { k: "neg"; e: Expr }
  | { k: "in"; op: string; l: Expr; list: Expr[] }
  | { k: "between"; not: boolean; l: Expr; lo: Expr; hi: Expr };

interface Assign {
  name: string | null;
  expr: Expr;
}
interface SortKey {
  expr: Expr;
  desc: boolean;
}
type Op =
  | { k: "where"; name: string; pred: Expr }
  | { k: "project"; items: Assign[] }
  | { k: "project-away"; names: Tok[] }
  | { k: "extend"; items: Assign[] }
  | { k: "summarize"; aggs: Assign[]; by: Assign[] }
  | { k: "sort"; name: string; keys: SortKey[] }
  | { k: "top"; n: number; key: SortKey }
  | { k: "take"; n: number }
  | { k: "distinct"; names: Tok[] | "*" }
  | { k: "count" };
export interface Query {
  table: Tok;
  ops: Op[];
}

/** Tabular operators of KQL this simulator does not implement: named in the 400. */
const UNSUPPORTED_OPERATORS = new Set([
  "join",
  "union",
  "parse",
  "parse-where",
  "parse-kv",
  "mv-expand",
  "mv-apply",
  "evaluate",
  "make-series",
  "lookup",
  "render",
  "invoke",
  "as",
  "serialize",
  "sample",
  "sample-distinct",
  "search",
  "find",
  "fork",
  "facet",
  "getschema",
  "project-rename",
  "project-reorder",
  "project-keep",
  "top-nested",
  "top-hitters",
  "partition",
  "range",
  "print",
  "datatable",
  "externaldata",
  "scan",
  "reduce",
  "consume",
  "execute-and-cache",
  "extend-with",
]);
/** KQL functions this simulator does not implement (named "not supported"); other names are "Unknown function". */
const KNOWN_UNSUPPORTED_FUNCTIONS = new Set([
  "parse_json",
  "todynamic",
  "extract",
  "extract_all",
  "split",
  "replace_string",
  "replace_regex",
  "substring",
  "indexof",
  "trim",
  "format_datetime",
  "datetime_diff",
  "startofday",
  "endofday",
  "dayofweek",
  "array_length",
  "bag_keys",
  "pack",
  "pack_array",
  "make_set",
  "make_list",
  "arg_max",
  "arg_min",
  "percentile",
  "percentiles",
  "stdev",
  "variance",
  "hash",
  "base64_decode_tostring",
  "base64_encode_tostring",
  "parse_url",
  "parse_path",
  "ipv4_is_private",
  "ipv4_is_in_range",
  "has_any",
  "has_all",
  "case",
  "coalesce",
  "countof",
  "dcountif",
  "sumif",
  "take_any",
  "any",
  "row_number",
  "prev",
  "next",
  "toscalar",
  "materialize",
  "FileProfile",
  "DeviceFromIP",
  "AssignedIPAddresses",
]);
const AGGREGATES = new Set(["count", "countif", "dcount", "min", "max", "sum", "avg"]);

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

class Parser {
  private p = 0;
  constructor(private readonly toks: Tok[]) {}

  private get t(): Tok {
    return this.toks[this.p]!;
  }
  private peek(n = 1): Tok {
    return this.toks[Math.min(this.p + n, this.toks.length - 1)]!;
  }
  private next(): Tok {
    const t = this.t;
    if (t.kind !== "eof") this.p++;
    return t;
  }
  fail(t: Tok = this.t): never {
    throw new KqlError(`Query could not be parsed at '${t.text}' on line [${t.line},${t.col}]`);
  }
  private isOp(text: string, t: Tok = this.t): boolean {
    return t.kind === "op" && t.text === text;
  }
  private isWord(text: string, t: Tok = this.t): boolean {
    return t.kind === "ident" && t.text === text;
  }
  private expectOp(text: string): Tok {
    if (!this.isOp(text)) this.fail();
    return this.next();
  }
  private expectWord(text: string): Tok {
    if (!this.isWord(text)) this.fail();
    return this.next();
  }
  private ident(): Tok {
    if (this.t.kind !== "ident") this.fail();
    return this.next();
  }

  query(): Query {
    if (this.isWord("let")) throw new KqlError("'let' statement is not supported");
    if (this.isWord("set")) throw new KqlError("'set' statement is not supported");
    const first = this.t;
    if (first.kind === "ident" && UNSUPPORTED_OPERATORS.has(first.text)) throw new KqlError(`'${first.text}' operator is not supported`);
    const table = this.ident();
    if (this.isOp("(")) this.fail();
    const ops: Op[] = [];
    while (this.isOp("|")) {
      this.next();
      ops.push(this.operator());
    }
    if (this.isOp(";")) throw new KqlError("Multiple statements (';') are not supported");
    if (this.t.kind !== "eof") this.fail();
    return { table, ops };
  }

  /** Operator names may contain dashes (project-away, mv-expand): joined when the parts touch. */
  private operatorName(): Tok {
    const first = this.ident();
    let name = first.text;
    let end = first.end;
    while (this.isOp("-") && this.t.start === end && this.peek().kind === "ident" && this.peek().start === this.t.end) {
      this.next();
      const part = this.next();
      name += `-${part.text}`;
      end = part.end;
    }
    return { ...first, text: name, end };
  }

  private operator(): Op {
    const opTok = this.operatorName();
    const name = opTok.text;
    switch (name) {
      case "where":
      case "filter":
        return { k: "where", name, pred: this.expr() };
      case "project":
        return { k: "project", items: this.assignList() };
      case "project-away":
        return { k: "project-away", names: this.nameList() };
      case "extend":
        return { k: "extend", items: this.assignList() };
      case "summarize":
        return this.summarize();
      case "sort":
      case "order": {
        this.expectWord("by");
        const keys: SortKey[] = [this.sortKey()];
        while (this.isOp(",")) {
          this.next();
          keys.push(this.sortKey());
        }
        return { k: "sort", name, keys };
      }
      case "top": {
        const n = this.count(name);
        this.expectWord("by");
        return { k: "top", n, key: this.sortKey() };
      }
      case "take":
      case "limit":
        return { k: "take", n: this.count(name) };
      case "distinct":
        if (this.isOp("*")) {
          this.next();
          return { k: "distinct", names: "*" };
        }
        return { k: "distinct", names: this.nameList() };
      case "count":
        return { k: "count" };
      default:
        if (UNSUPPORTED_OPERATORS.has(name)) throw new KqlError(`'${name}' operator is not supported`);
        return this.fail(opTok);
    }
  }

  private count(op: string): number {
    const t = this.t;
    if (t.kind !== "number" || !Number.isInteger(t.value) || (t.value as number) < 0) {
      if (t.kind === "eof" || this.isOp("|")) this.fail();
      throw new KqlError(`'${op}' operator: the row count must be a non-negative integer literal`);
    }
    this.next();
    return t.value as number;
  }

  private nameList(): Tok[] {
    const out = [this.ident()];
    while (this.isOp(",")) {
      this.next();
      out.push(this.ident());
    }
    return out;
  }

  private assign(): Assign {
    if (this.t.kind === "ident" && this.isOp("=", this.peek())) {
      const name = this.next().text;
      this.next();
      return { name, expr: this.expr() };
    }
    return { name: null, expr: this.expr() };
  }

  private assignList(): Assign[] {
    const out = [this.assign()];
    while (this.isOp(",")) {
      this.next();
      out.push(this.assign());
    }
    return out;
  }

  private summarize(): Op {
    const aggs: Assign[] = [];
    if (!this.isWord("by")) {
      aggs.push(this.assign());
      while (this.isOp(",")) {
        this.next();
        aggs.push(this.assign());
      }
    }
    const by: Assign[] = [];
    if (this.isWord("by")) {
      this.next();
      by.push(this.assign());
      while (this.isOp(",")) {
        this.next();
        by.push(this.assign());
      }
    }
    if (aggs.length === 0 && by.length === 0) this.fail();
    return { k: "summarize", aggs, by };
  }

  private sortKey(): SortKey {
    const expr = this.expr();
    let desc = true;
    if (this.isWord("asc")) {
      this.next();
      desc = false;
    } else if (this.isWord("desc")) {
      this.next();
    }
    if (this.isWord("nulls")) throw new KqlError("'nulls first' / 'nulls last' is not supported");
    return { expr, desc };
  }

  // --- expressions ---------------------------------------------------------------------------

  private depth = 0;
  private binaries = 0;

  /** Left-deep chains (a or b or c ...) are evaluated recursively: their length is bounded too. */
  private binNode(e: Expr): Expr {
    if (++this.binaries > 1000) throw new KqlError("The query is too complex (more than 1,000 binary operators)");
    return e;
  }

  expr(): Expr {
    // Nesting is bounded so a hostile query cannot exhaust the stack (parentheses, unary minus, calls all recurse here).
    if (++this.depth > 100) throw new KqlError("The query is nested too deeply");
    try {
      return this.orExpr();
    } finally {
      this.depth--;
    }
  }

  private orExpr(): Expr {
    let l = this.and();
    while (this.isWord("or")) {
      const tok = this.next();
      l = this.binNode({ k: "bin", op: "or", l, r: this.and(), tok });
    }
    return l;
  }

  private and(): Expr {
    let l = this.cmp();
    while (this.isWord("and")) {
      const tok = this.next();
      l = this.binNode({ k: "bin", op: "and", l, r: this.cmp(), tok });
    }
    return l;
  }

  private cmp(): Expr {
    const l = this.add();
    const t = this.t;
    if (t.kind === "op" && ["==", "!=", "=~", "!~", "<", "<=", ">", ">="].includes(t.text)) {
      this.next();
      return this.binNode({ k: "bin", op: t.text, l, r: this.add(), tok: t });
    }
    const word = t.kind === "ident" || t.kind === "op" ? t.text : "";
    if (STRING_OPS.has(word)) {
      this.next();
      return this.binNode({ k: "bin", op: word, l, r: this.add(), tok: t });
    }
    if (word === "in" || word === "!in" || word === "in~" || word === "!in~") {
      this.next();
      this.expectOp("(");
      const list: Expr[] = [];
      if (!this.isOp(")")) {
        list.push(this.expr());
        while (this.isOp(",")) {
          this.next();
          list.push(this.expr());
        }
      }
      this.expectOp(")");
      return { k: "in", op: word, l, list };
    }
    if (word === "between" || word === "!between") {
      this.next();
      this.expectOp("(");
      const lo = this.add();
      this.expectOp("..");
      const hi = this.add();
      this.expectOp(")");
      return { k: "between", not: word === "!between", l, lo, hi };
    }
    if (t.kind === "op" && t.text.startsWith("!") && t.text.length > 1) throw new KqlError(`'${t.text}' operator is not supported`);
    if (t.kind === "ident" && UNSUPPORTED_STRING_OPS.has(t.text)) throw new KqlError(`'${t.text}' operator is not supported`);
    return l;
  }

  private add(): Expr {
    let l = this.mul();
    while (this.isOp("+") || this.isOp("-")) {
      const tok = this.next();
      l = this.binNode({ k: "bin", op: tok.text, l, r: this.mul(), tok });
    }
    return l;
  }

  private mul(): Expr {
    let l = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const tok = this.next();
      l = this.binNode({ k: "bin", op: tok.text, l, r: this.unary(), tok });
    }
    return l;
  }

  private unary(): Expr {
    if (this.isOp("-") || this.isOp("+")) {
      const minus = this.next().text === "-";
      if (++this.depth > 100) throw new KqlError("The query is nested too deeply");
      try {
        const e = this.unary();
        return minus ? { k: "neg", e } : e;
      } finally {
        this.depth--;
      }
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.t;
    switch (t.kind) {
      case "string":
        this.next();
        return { k: "lit", type: "string", value: t.value as string };
      case "number": {
        this.next();
        const isReal = /[.eE]/.test(t.text);
        return { k: "lit", type: isReal ? "real" : "long", value: t.value as number };
      }
      case "timespan":
        this.next();
        return { k: "lit", type: "timespan", value: t.value as number };
      case "datetime": {
        this.next();
        const raw = t.value as string;
        const ms = parseDate(raw);
        if (ms === null) throw new KqlError(`Invalid datetime literal: 'datetime(${raw})'`);
        return { k: "lit", type: "datetime", value: ms };
      }
      case "ident": {
        this.next();
        if (t.text === "true" || t.text === "false") return { k: "lit", type: "bool", value: t.text === "true" };
        if (this.isOp("(")) {
          this.next();
          const args: Expr[] = [];
          if (!this.isOp(")")) {
            args.push(this.expr());
            while (this.isOp(",")) {
              this.next();
              args.push(this.expr());
            }
          }
          this.expectOp(")");
          return { k: "call", name: t.text, args, tok: t };
        }
        return { k: "col", name: t.text, tok: t };
      }
      case "op":
        // `*` as an argument (arg_max(Timestamp, *)): parsed so the 400 can name the unsupported function.
        if (t.text === "*" && (this.isOp("(", this.toks[this.p - 1]) || this.isOp(",", this.toks[this.p - 1]))) {
          this.next();
          return { k: "col", name: "*", tok: t };
        }
        if (t.text === "(") {
          this.next();
          const e = this.expr();
          this.expectOp(")");
          return e;
        }
        return this.fail();
      default:
        return this.fail();
    }
  }
}

const STRING_OPS = new Set([
  "contains",
  "!contains",
  "contains_cs",
  "!contains_cs",
  "has",
  "!has",
  "has_cs",
  "!has_cs",
  "startswith",
  "!startswith",
  "startswith_cs",
  "!startswith_cs",
  "endswith",
  "!endswith",
  "endswith_cs",
  "!endswith_cs",
]);
const UNSUPPORTED_STRING_OPS = new Set(["matches", "hasprefix", "hassuffix", "has_any", "has_all", "hasprefix_cs", "hassuffix_cs"]);

/** ISO-like dates as KQL accepts them in datetime(...): a date, optional time, optional zone (UTC when absent). */
export function parseDate(raw: string): number | null {
  const s = raw.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:\d{2})?$/i.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0), Math.floor(Number(`0.${frac ?? "0"}`) * 1000));
  if (Number.isNaN(base)) return null;
  let offset = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return base - offset;
}

export function parseQuery(text: string): Query {
  return new Parser(tokenize(text)).query();
}

// ---------------------------------------------------------------------------------------------
// Binding (static types) and evaluation
// ---------------------------------------------------------------------------------------------

type Fn = (row: Row) => Value;
interface Bound {
  type: KType;
  fn: Fn;
}

const NUMERIC = new Set<KType>(["long", "int", "real"]);
const isNum = (t: KType) => NUMERIC.has(t);
const numResult = (a: KType, b: KType): KType => (a === "real" || b === "real" ? "real" : "long");

function typeName(t: KType): string {
  return t;
}

/** Text of a value as tostring() renders it. */
export function toStr(v: Value, t: KType): string {
  if (v === null || v === undefined) return "";
  if (t === "datetime" && typeof v === "number") return new Date(v).toISOString().replace("Z", "0000Z");
  if (t === "timespan" && typeof v === "number") return formatTimespan(v);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** .NET TimeSpan text: [-][d.]hh:mm:ss[.fffffff] */
export function formatTimespan(ms: number): string {
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const d = Math.floor(rest / 86_400_000);
  rest -= d * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const f = Math.round(rest - s * 1000);
  const p2 = (n: number) => String(n).padStart(2, "0");
  return `${neg ? "-" : ""}${d > 0 ? `${d}.` : ""}${p2(h)}:${p2(m)}:${p2(s)}${f > 0 ? `.${String(f).padStart(3, "0")}0000` : ""}`;
}

const ALNUM = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);

/** KQL `has`: the needle occurs as a whole term (not glued to letters or digits on either side). */
export function hasTerm(hay: string, needle: string, caseSensitive: boolean): boolean {
  if (needle === "") return true;
  const h = caseSensitive ? hay : hay.toLowerCase();
  const n = caseSensitive ? needle : needle.toLowerCase();
  let from = 0;
  for (;;) {
    const at = h.indexOf(n, from);
    if (at < 0) return false;
    const beforeOk = !ALNUM(n[0]) || !ALNUM(h[at - 1]);
    const afterOk = !ALNUM(n[n.length - 1]) || !ALNUM(h[at + n.length]);
    if (beforeOk && afterOk) return true;
    from = at + 1;
  }
}

function compare(a: Value, b: Value): number {
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  const x = typeof a === "object" ? JSON.stringify(a) : String(a);
  const y = typeof b === "object" ? JSON.stringify(b) : String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

interface Env {
  nowMs: number;
}

class Binder {
  constructor(
    private readonly columns: readonly Column[],
    private readonly op: string,
    private readonly env: Env,
  ) {}

  private unresolved(name: string): never {
    throw new KqlError(`'${this.op}' operator: Failed to resolve scalar expression named '${name}'`);
  }

  bind(e: Expr): Bound {
    switch (e.k) {
      case "lit": {
        const v = e.value;
        return { type: e.type, fn: () => v };
      }
      case "col": {
        const c = this.columns.find((x) => x.name === e.name);
        if (!c) this.unresolved(e.name);
        const name = c!.name;
        return { type: c!.type, fn: (r) => r[name] ?? null };
      }
      case "neg": {
        const x = this.bind(e.e);
        if (!isNum(x.type) && x.type !== "timespan") throw new KqlError(`'${this.op}' operator: unary '-' needs a number or a timespan, not ${x.type}`);
        return { type: x.type, fn: (r) => (x.fn(r) === null ? null : -(x.fn(r) as number)) };
      }
      case "in": {
        const l = this.bind(e.l);
        const list = e.list.map((x) => this.bind(x));
        const ci = e.op.endsWith("~");
        const neg = e.op.startsWith("!");
        const norm = (v: Value) => (ci && typeof v === "string" ? v.toLowerCase() : v);
        return {
          type: "bool",
          fn: (r) => {
            const v = norm(l.fn(r));
            const found = list.some((x) => {
              const w = norm(x.fn(r));
              return v !== null && w !== null && (typeof v === "string" || typeof w === "string" ? String(v) === String(w) : v === w);
            });
            return neg ? !found : found;
          },
        };
      }
      case "between": {
        const l = this.bind(e.l);
        const lo = this.bind(e.lo);
        const bound = this.bind(e.hi);
        // KQL: `datetime between (start .. timespan)` ends at start + timespan.
        const hi: Bound =
          l.type === "datetime" && lo.type === "datetime" && bound.type === "timespan"
            ? {
                type: "datetime",
                fn: (r) => {
                  const a = lo.fn(r);
                  const b = bound.fn(r);
                  return typeof a === "number" && typeof b === "number" ? a + b : null;
                },
              }
            : bound;
        for (const x of [lo, hi]) {
          if (!(x.type === l.type || (isNum(x.type) && isNum(l.type)))) {
            throw new KqlError(`'${this.op}' operator: between() cannot compare ${l.type} with ${x.type}`);
          }
        }
        return {
          type: "bool",
          fn: (r) => {
            const v = l.fn(r);
            const a = lo.fn(r);
            const b = hi.fn(r);
            if (v === null || a === null || b === null) return e.not ? true : false;
            const inside = compare(v, a) >= 0 && compare(v, b) <= 0;
            return e.not ? !inside : inside;
          },
        };
      }
      case "bin":
        return this.binary(e);
      case "call":
        return this.call(e);
    }
  }

  private binary(e: Extract<Expr, { k: "bin" }>): Bound {
    const l = this.bind(e.l);
    const r = this.bind(e.r);
    const op = e.op;
    if (op === "and" || op === "or") {
      if (l.type !== "bool" || r.type !== "bool") throw new KqlError(`'${this.op}' operator: '${op}' needs boolean operands`);
      return op === "and"
        ? { type: "bool", fn: (x) => l.fn(x) === true && r.fn(x) === true }
        : { type: "bool", fn: (x) => l.fn(x) === true || r.fn(x) === true };
    }
    if (["==", "!=", "<", "<=", ">", ">="].includes(op)) {
      const comparable = l.type === r.type || (isNum(l.type) && isNum(r.type)) || l.type === "dynamic" || r.type === "dynamic";
      if (!comparable) {
        throw new KqlError(`Cannot compare values of types ${typeName(l.type)} and ${typeName(r.type)}. Try adding explicit casts`);
      }
      const test: Record<string, (c: number) => boolean> = {
        "==": (c) => c === 0,
        "!=": (c) => c !== 0,
        "<": (c) => c < 0,
        "<=": (c) => c <= 0,
        ">": (c) => c > 0,
        ">=": (c) => c >= 0,
      };
      const t = test[op]!;
      return {
        type: "bool",
        fn: (x) => {
          const a = l.fn(x);
          const b = r.fn(x);
          if (a === null || b === null) return op === "!=" ? a !== b : false;
          return t(compare(a, b));
        },
      };
    }
    if (op === "=~" || op === "!~") {
      const neg = op === "!~";
      return {
        type: "bool",
        fn: (x) => {
          const eq = toStr(l.fn(x), l.type).toLowerCase() === toStr(r.fn(x), r.type).toLowerCase();
          return neg ? !eq : eq;
        },
      };
    }
    if (STRING_OPS.has(op)) {
      const neg = op.startsWith("!");
      const base = op.replace(/^!/, "");
      const cs = base.endsWith("_cs");
      const kind = base.replace(/_cs$/, "");
      const test = (hay: string, n: string): boolean => {
        if (kind === "has") return hasTerm(hay, n, cs);
        const h = cs ? hay : hay.toLowerCase();
        const m = cs ? n : n.toLowerCase();
        return kind === "contains" ? h.includes(m) : kind === "startswith" ? h.startsWith(m) : h.endsWith(m);
      };
      return {
        type: "bool",
        fn: (x) => {
          const ok = test(toStr(l.fn(x), l.type), toStr(r.fn(x), r.type));
          return neg ? !ok : ok;
        },
      };
    }
    // Arithmetic
    const lt = l.type;
    const rt = r.type;
    let type: KType | null = null;
    if (isNum(lt) && isNum(rt)) type = op === "/" && lt !== "real" && rt !== "real" ? "long" : numResult(lt, rt);
    else if (op === "-" && lt === "datetime" && rt === "datetime") type = "timespan";
    else if ((op === "+" || op === "-") && lt === "datetime" && rt === "timespan") type = "datetime";
    else if (op === "+" && lt === "timespan" && rt === "datetime") type = "datetime";
    else if ((op === "+" || op === "-") && lt === "timespan" && rt === "timespan") type = "timespan";
    else if ((op === "*" || op === "/") && lt === "timespan" && isNum(rt)) type = "timespan";
    else if (op === "*" && isNum(lt) && rt === "timespan") type = "timespan";
    else if (op === "/" && lt === "timespan" && rt === "timespan") type = "real";
    if (!type) throw new KqlError(`'${this.op}' operator: the operator '${op}' cannot be applied to ${lt} and ${rt}`);
    const integer = type === "long" && op === "/";
    const f: Record<string, (a: number, b: number) => number | null> = {
      "+": (a, b) => a + b,
      "-": (a, b) => a - b,
      "*": (a, b) => a * b,
      "/": (a, b) => (b === 0 ? null : integer ? Math.trunc(a / b) : a / b),
      "%": (a, b) => (b === 0 ? null : a % b),
    };
    const g = f[op]!;
    return {
      type,
      fn: (x) => {
        const a = l.fn(x);
        const b = r.fn(x);
        if (typeof a !== "number" || typeof b !== "number") return null;
        return g(a, b);
      },
    };
  }

  private call(e: Extract<Expr, { k: "call" }>): Bound {
    const name = e.name;
    const args = e.args;
    const arity = (min: number, max = min) => {
      if (args.length < min || args.length > max) {
        throw new KqlError(`'${this.op}' operator: function '${name}' expects ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
      }
    };
    if (AGGREGATES.has(name) && this.op !== "summarize") {
      throw new KqlError(`'${this.op}' operator: aggregate function '${name}' is only allowed in summarize`);
    }
    const now = this.env.nowMs;
    switch (name) {
      case "now": {
        arity(0, 1);
        const off = args[0] ? this.constTimespan(args[0]) : 0;
        return { type: "datetime", fn: () => now + off };
      }
      case "ago": {
        arity(1);
        const span = this.constTimespan(args[0]!);
        return { type: "datetime", fn: () => now - span };
      }
      case "not": {
        arity(1);
        const x = this.bind(args[0]!);
        if (x.type !== "bool") throw new KqlError(`'${this.op}' operator: not() needs a boolean argument`);
        return { type: "bool", fn: (r) => x.fn(r) !== true };
      }
      case "strcat": {
        if (args.length < 1) arity(1, 64);
        const xs = args.map((a) => this.bind(a));
        return { type: "string", fn: (r) => xs.map((x) => toStr(x.fn(r), x.type)).join("") };
      }
      case "tolower":
      case "toupper": {
        arity(1);
        const x = this.bind(args[0]!);
        const up = name === "toupper";
        return { type: "string", fn: (r) => (up ? toStr(x.fn(r), x.type).toUpperCase() : toStr(x.fn(r), x.type).toLowerCase()) };
      }
      case "tostring": {
        arity(1);
        const x = this.bind(args[0]!);
        return { type: "string", fn: (r) => toStr(x.fn(r), x.type) };
      }
      case "strlen": {
        arity(1);
        const x = this.bind(args[0]!);
        return { type: "long", fn: (r) => toStr(x.fn(r), x.type).length };
      }
      case "tolong":
      case "toint":
      case "todouble":
      case "toreal": {
        arity(1);
        const x = this.bind(args[0]!);
        const integer = name === "tolong" || name === "toint";
        return {
          type: name === "toint" ? "int" : integer ? "long" : "real",
          fn: (r) => {
            const v = x.fn(r);
            if (v === null) return null;
            const n = typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : Number(String(v).trim() === "" ? NaN : v);
            if (!Number.isFinite(n)) return null;
            return integer ? Math.trunc(n) : n;
          },
        };
      }
      case "isempty":
      case "isnotempty": {
        arity(1);
        const x = this.bind(args[0]!);
        const neg = name === "isnotempty";
        return {
          type: "bool",
          fn: (r) => {
            const v = x.fn(r);
            const empty = v === null || v === "";
            return neg ? !empty : empty;
          },
        };
      }
      case "isnull":
      case "isnotnull": {
        arity(1);
        const x = this.bind(args[0]!);
        const neg = name === "isnotnull";
        return { type: "bool", fn: (r) => (neg ? x.fn(r) !== null : x.fn(r) === null) };
      }
      case "bin":
      case "floor": {
        arity(2);
        const x = this.bind(args[0]!);
        const size = this.bind(args[1]!);
        const ok = (isNum(x.type) && isNum(size.type)) || ((x.type === "datetime" || x.type === "timespan") && size.type === "timespan");
        if (!ok) throw new KqlError(`'${this.op}' operator: ${name}() cannot round ${x.type} by ${size.type}`);
        return {
          type: x.type,
          fn: (r) => {
            const v = x.fn(r);
            const s = size.fn(r);
            if (typeof v !== "number" || typeof s !== "number" || s <= 0) return null;
            return Math.floor(v / s) * s;
          },
        };
      }
      case "iff":
      case "iif": {
        arity(3);
        const p = this.bind(args[0]!);
        const a = this.bind(args[1]!);
        const b = this.bind(args[2]!);
        if (p.type !== "bool") throw new KqlError(`'${this.op}' operator: iff() needs a boolean condition`);
        const type = a.type === b.type ? a.type : isNum(a.type) && isNum(b.type) ? numResult(a.type, b.type) : null;
        if (!type) throw new KqlError(`'${this.op}' operator: iff() branches must have the same type (${a.type}, ${b.type})`);
        return { type, fn: (r) => (p.fn(r) === true ? a.fn(r) : b.fn(r)) };
      }
      default:
        if (KNOWN_UNSUPPORTED_FUNCTIONS.has(name)) throw new KqlError(`'${name}' function is not supported`);
        throw new KqlError(`Unknown function: '${name}'.`);
    }
  }

  private constTimespan(e: Expr): number {
    const b = this.bind(e);
    if (b.type !== "timespan") throw new KqlError(`'${this.op}' operator: expected a timespan (for example 1d, 2h, 30m), got ${b.type}`);
    const v = b.fn({});
    if (typeof v !== "number") throw new KqlError(`'${this.op}' operator: expected a constant timespan`);
    return v;
  }
}

/** Name KQL gives an unnamed projected or grouped expression. */
function defaultName(e: Expr, n: () => number): string {
  if (e.k === "col") return e.name;
  if (e.k === "call" && (e.name === "bin" || e.name === "floor") && e.args[0]?.k === "col") return e.args[0].name;
  return `Column${n()}`;
}

function aggName(e: Expr): string {
  if (e.k !== "call") return "Column1";
  const arg = e.args[0];
  if (e.name === "count" || e.name === "countif") return `${e.name}_`;
  return arg && arg.k === "col" ? `${e.name}_${arg.name}` : `${e.name}_`;
}

interface Agg {
  name: string;
  type: KType;
  init: () => { add(r: Row): void; value(): Value };
}

function bindAggregate(binder: Binder, e: Expr, name: string): Agg {
  if (e.k !== "call" || !AGGREGATES.has(e.name)) {
    if (e.k === "call" && KNOWN_UNSUPPORTED_FUNCTIONS.has(e.name)) throw new KqlError(`'${e.name}' function is not supported`);
    throw new KqlError(`'summarize' operator: expected an aggregation function such as count(), dcount(x), min(x) or max(x)`);
  }
  const args = e.args;
  const need = (n: number) => {
    if (args.length !== n) throw new KqlError(`'summarize' operator: function '${e.name}' expects ${n} argument(s), got ${args.length}`);
  };
  switch (e.name) {
    case "count":
      need(0);
      return {
        name,
        type: "long",
        init: () => {
          let c = 0;
          return { add: () => void c++, value: () => c };
        },
      };
    case "countif": {
      need(1);
      const p = binder.bind(args[0]!);
      if (p.type !== "bool") throw new KqlError(`'summarize' operator: countif() needs a boolean predicate`);
      return {
        name,
        type: "long",
        init: () => {
          let c = 0;
          return { add: (r) => void (p.fn(r) === true && c++), value: () => c };
        },
      };
    }
    case "dcount": {
      need(1);
      const x = binder.bind(args[0]!);
      return {
        name,
        type: "long",
        init: () => {
          const seen = new Set<unknown>();
          return {
            add: (r) => {
              const v = x.fn(r);
              if (v !== null) seen.add(typeof v === "object" ? JSON.stringify(v) : v);
            },
            value: () => seen.size,
          };
        },
      };
    }
    case "min":
    case "max": {
      need(1);
      const x = binder.bind(args[0]!);
      const sign = e.name === "min" ? -1 : 1;
      return {
        name,
        type: x.type,
        init: () => {
          let best: Value = null;
          return {
            add: (r) => {
              const v = x.fn(r);
              if (v === null) return;
              if (best === null || sign * compare(v, best) > 0) best = v;
            },
            value: () => best,
          };
        },
      };
    }
    case "sum":
    case "avg": {
      need(1);
      const x = binder.bind(args[0]!);
      if (!isNum(x.type) && x.type !== "timespan") throw new KqlError(`'summarize' operator: ${e.name}() needs a numeric argument, got ${x.type}`);
      const avg = e.name === "avg";
      return {
        name,
        type: avg ? (x.type === "timespan" ? "timespan" : "real") : x.type === "int" ? "long" : x.type,
        init: () => {
          let s = 0;
          let n = 0;
          return {
            add: (r) => {
              const v = x.fn(r);
              if (typeof v === "number") {
                s += v;
                n++;
              }
            },
            value: () => (avg ? (n === 0 ? null : s / n) : s),
          };
        },
      };
    }
    default:
      throw new KqlError(`'${e.name}' function is not supported`);
  }
}

/** Runs a parsed query over one table. */
export function execute(q: Query, source: Table, env: Env): QueryResult {
  let columns: Column[] = source.columns.map((c) => ({ ...c }));
  let rows: Row[] = source.rows as Row[];
  const scanned = source.rows.length;
  const resolveName = (op: string, t: Tok): Column => {
    const c = columns.find((x) => x.name === t.text);
    if (!c) throw new KqlError(`'${op}' operator: Failed to resolve scalar expression named '${t.text}'`);
    return c;
  };
  for (const op of q.ops) {
    switch (op.k) {
      case "where": {
        const p = new Binder(columns, op.name, env).bind(op.pred);
        if (p.type !== "bool") throw new KqlError(`'${op.name}' operator: the predicate must be a boolean expression`);
        rows = rows.filter((r) => p.fn(r) === true);
        break;
      }
      case "project":
      case "extend": {
        const binder = new Binder(columns, op.k, env);
        let n = 0;
        const counter = () => ++n;
        const items = op.items.map((a) => ({ name: a.name ?? defaultName(a.expr, counter), b: binder.bind(a.expr) }));
        const names = new Set<string>();
        for (const it of items) {
          if (op.k === "project" && names.has(it.name)) throw new KqlError(`'project' operator: a column named '${it.name}' is projected more than once`);
          names.add(it.name);
        }
        if (op.k === "project") {
          columns = items.map((it) => ({ name: it.name, type: it.b.type }));
          rows = rows.map((r) => {
            const o: Row = {};
            for (const it of items) o[it.name] = it.b.fn(r);
            return o;
          });
        } else {
          const replaced = columns.map((c) => {
            const it = items.find((x) => x.name === c.name);
            return it ? { name: c.name, type: it.b.type } : c;
          });
          columns = [...replaced, ...items.filter((it) => !columns.some((c) => c.name === it.name)).map((it) => ({ name: it.name, type: it.b.type }))];
          rows = rows.map((r) => {
            const o: Row = { ...r };
            for (const it of items) o[it.name] = it.b.fn(r);
            return o;
          });
        }
        break;
      }
      case "project-away": {
        const drop = new Set(op.names.map((t) => resolveName("project-away", t).name));
        columns = columns.filter((c) => !drop.has(c.name));
        rows = rows.map((r) => {
          const o: Row = {};
          for (const c of columns) o[c.name] = r[c.name] ?? null;
          return o;
        });
        break;
      }
      case "summarize": {
        const binder = new Binder(columns, "summarize", env);
        let n = 0;
        const counter = () => ++n;
        const keys = op.by.map((a) => ({ name: a.name ?? defaultName(a.expr, counter), b: binder.bind(a.expr) }));
        const aggs = op.aggs.map((a) => bindAggregate(binder, a.expr, a.name ?? aggName(a.expr)));
        const all = [...keys.map((k) => k.name), ...aggs.map((a) => a.name)];
        if (new Set(all).size !== all.length) throw new KqlError(`'summarize' operator: duplicate column names in the output`);
        const groups = new Map<string, { key: Value[]; states: ReturnType<Agg["init"]>[] }>();
        for (const r of rows) {
          const key = keys.map((k) => k.b.fn(r));
          const id = JSON.stringify(key);
          let g = groups.get(id);
          if (!g) {
            g = { key, states: aggs.map((a) => a.init()) };
            groups.set(id, g);
          }
          for (const s of g.states) s.add(r);
        }
        // Without `by`, summarize always returns one row (count() of nothing is 0).
        if (keys.length === 0 && groups.size === 0) groups.set("[]", { key: [], states: aggs.map((a) => a.init()) });
        columns = [...keys.map((k) => ({ name: k.name, type: k.b.type })), ...aggs.map((a) => ({ name: a.name, type: a.type }))];
        rows = [...groups.values()].map((g) => {
          const o: Row = {};
          keys.forEach((k, i) => (o[k.name] = g.key[i] ?? null));
          aggs.forEach((a, i) => (o[a.name] = g.states[i]!.value()));
          return o;
        });
        break;
      }
      case "sort":
      case "top": {
        const binder = new Binder(columns, op.k === "top" ? "top" : op.name, env);
        const keys = (op.k === "top" ? [op.key] : op.keys).map((k) => ({ b: binder.bind(k.expr), desc: k.desc }));
        // Nulls last when descending, first when ascending (KQL's defaults).
        const decorated = rows.map((r, i) => ({ r, i, v: keys.map((k) => k.b.fn(r)) }));
        decorated.sort((x, y) => {
          for (let j = 0; j < keys.length; j++) {
            const c = compare(x.v[j]!, y.v[j]!);
            if (c !== 0) return keys[j]!.desc ? -c : c;
          }
          return x.i - y.i;
        });
        rows = decorated.map((d) => d.r);
        if (op.k === "top") rows = rows.slice(0, op.n);
        break;
      }
      case "take":
        rows = rows.slice(0, op.n);
        break;
      case "distinct": {
        const cols = op.names === "*" ? columns : op.names.map((t) => resolveName("distinct", t));
        const seen = new Set<string>();
        const out: Row[] = [];
        for (const r of rows) {
          const key = JSON.stringify(cols.map((c) => r[c.name] ?? null));
          if (seen.has(key)) continue;
          seen.add(key);
          const o: Row = {};
          for (const c of cols) o[c.name] = r[c.name] ?? null;
          out.push(o);
        }
        columns = cols.map((c) => ({ ...c }));
        rows = out;
        break;
      }
      case "count":
        columns = [{ name: "Count", type: "long" }];
        rows = [{ Count: rows.length }];
        break;
    }
  }
  return { columns, rows, scanned };
}

/** Parses and runs `text`; `resolveTable` returns the table as the query may see it (already cut to the Timespan). */
export function runQuery(text: string, resolveTable: (name: string) => Table | undefined, env: Env): QueryResult {
  const q = parseQuery(text);
  const table = resolveTable(q.table.text);
  if (!table) throw new KqlError(`Failed to resolve table or column expression named '${q.table.text}'`);
  return execute(q, table, env);
}
