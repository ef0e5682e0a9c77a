import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";

/**
 * Structured logs: one JSON object per line on stdout (warn and error on stderr), so a collector (journald, Loki,
 * CloudWatch, kubectl logs) can parse every event without a grammar. Each line has `time`, `level`, `msg`, `process`
 * ("web" or "worker"), `requestId` when the event belongs to a web request, and the event's own fields. Values under
 * secret-looking keys, bearer tokens and JWTs are redacted before anything is written (issue 12 §4: logs never hold
 * secrets, tokens, cookies, client secrets or consent state).
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` (e.g. a queue name). */
  child(fields: LogFields): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The request context of the web process: scripts/serve.mjs runs every request inside it (see requestContext()). */
interface RequestContext {
  requestId?: string;
}
const CONTEXT_KEY = Symbol.for("portal.ops.requestContext");
const PROCESS_KEY = Symbol.for("portal.ops.processName");
type Globals = { [CONTEXT_KEY]?: AsyncLocalStorage<RequestContext>; [PROCESS_KEY]?: string };
const globals = globalThis as unknown as Globals;

/**
 * One AsyncLocalStorage per process, shared through globalThis: serve.mjs (plain JavaScript, outside Next's bundles)
 * creates the store a request runs in, and every bundle's copy of this module reads the same one.
 */
export function requestContext(): AsyncLocalStorage<RequestContext> {
  globals[CONTEXT_KEY] ??= new AsyncLocalStorage<RequestContext>();
  return globals[CONTEXT_KEY];
}

/** Names this process in every line ("web", "worker"); set once by the entry point. */
export function setLogProcess(name: string): void {
  globals[PROCESS_KEY] = name;
}

function processName(): string {
  return globals[PROCESS_KEY] ?? (process.env.NEXT_RUNTIME ? "web" : "node");
}

function minLevel(): number {
  const v = (process.env.LOG_LEVEL ?? "info").toLowerCase();
  return LEVELS[v as LogLevel] ?? LEVELS.info;
}

// --- Redaction -----------------------------------------------------------------------------------------------------

/**
 * Keys whose values are never written. `state` is the consent link's state (an HMAC that binds a tenant); `code` is
 * an OAuth authorization code only under `authCode`/`authorization_code` (error codes stay readable).
 */
const SECRET_KEY =
  /(secret|password|passwd|token|authorization|cookie|session|credential|private|apikey|api_key|assertion|signature|^state$|consentstate|authcode|authorization_code|^code_verifier$|nonce)/i;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
/** `client_secret=…`, `state=…`, `code=…` in a URL or form body that ended up in a message. */
const SECRET_PARAM = /\b(client_secret|client_assertion|state|code|access_token|refresh_token|id_token|password)=([^&\s"']+)/gi;
export const REDACTED = "[redacted]";

export function redactText(text: string): string {
  return text
    .replace(JWT, "[redacted-jwt]")
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(SECRET_PARAM, (_m, key: string) => `${key}=${REDACTED}`);
}

/** A copy of `value` safe to log: secret-looking keys blanked, strings scrubbed, errors reduced, depth bounded. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === "string") return redactText(value.length > 4_000 ? `${value.slice(0, 4_000)}… [cut]` : value);
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; digest?: unknown };
    // The top frames only: enough to find the line, one event still one line.
    const stack = e.stack
      ?.split("\n")
      .slice(1, 9)
      .map((f) => f.trim());
    return redact(
      {
        name: e.name,
        message: e.message,
        ...(e.code !== undefined ? { code: e.code } : {}),
        ...(e.digest !== undefined ? { digest: e.digest } : {}),
        ...(stack?.length ? { stack } : {}),
      },
      depth,
    );
  }
  if (depth >= 4) return "[depth]";
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1);
    return out;
  }
  return String(value);
}

// --- Writing -------------------------------------------------------------------------------------------------------

/** The line for one event (exported for tests and for serve.mjs's console bridge). */
export function formatLine(level: LogLevel, msg: string, fields: LogFields = {}, base: LogFields = {}): string {
  const requestId = requestContext().getStore()?.requestId;
  const safe = redact({ ...base, ...fields }) as LogFields;
  // The envelope's keys win over an event's fields of the same name.
  return JSON.stringify({
    ...safe,
    time: new Date().toISOString(),
    level,
    msg: redactText(msg),
    process: processName(),
    pid: process.pid,
    ...(requestId ? { requestId } : {}),
  });
}

function write(level: LogLevel, msg: string, fields: LogFields | undefined, base: LogFields) {
  if (LEVELS[level] < minLevel()) return;
  const line = formatLine(level, msg, fields, base) + "\n";
  if (level === "warn" || level === "error") process.stderr.write(line);
  else process.stdout.write(line);
}

function makeLogger(base: LogFields): Logger {
  return {
    debug: (msg, fields) => write("debug", msg, fields, base),
    info: (msg, fields) => write("info", msg, fields, base),
    warn: (msg, fields) => write("warn", msg, fields, base),
    error: (msg, fields) => write("error", msg, fields, base),
    child: (fields) => makeLogger({ ...base, ...fields }),
  };
}

/** The process's logger. */
export const log: Logger = makeLogger({});

/**
 * Routes console.* through the logger, so lines printed by libraries and by Next itself ("⨯ Error …") are JSON too.
 * Arguments are formatted like console does, then redacted; an Error argument is kept as `err` with name and message.
 */
export function bridgeConsole(): void {
  const bridge =
    (level: LogLevel) =>
    (first?: unknown, ...rest: unknown[]) => {
      const err = [first, ...rest].find((a): a is Error => a instanceof Error);
      const text = format(first, ...rest.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : a)));
      // The first line only: a stack trace is one event, not thirty.
      const msg = (err && first === err ? `${err.name}: ${err.message}` : text).split("\n")[0]!.slice(0, 2_000);
      write(level, msg, err ? { err } : undefined, { source: "console" });
    };
  console.log = bridge("info");
  console.info = bridge("info");
  console.debug = bridge("debug");
  console.warn = bridge("warn");
  console.error = bridge("error");
}

/**
 * A Logger that prints plain text lines through `print` (the interactive `npm start` console), with the same
 * redaction: "msg key=value …".
 */
export function textLogger(print: (line: string) => void): Logger {
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
      if (LEVELS[level] < minLevel()) return;
      const safe = redact({ ...base, ...fields }) as LogFields;
      const rest = Object.entries(safe)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      print(`${level === "info" || level === "debug" ? "" : `${level}: `}${redactText(msg)}${rest ? ` ${rest}` : ""}`);
    };
    return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error"), child: (f) => make({ ...base, ...f }) };
  };
  return make({});
}
