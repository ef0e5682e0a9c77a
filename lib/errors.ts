/**
 * `instanceof` by name. Next bundles a module once per layer (route handlers, server components, actions), while
 * the process-wide clients live on globalThis, so an error thrown by one layer's class reaches code holding another
 * layer's class. Each error class below answers `instanceof` by its `name`, which is the same in every copy.
 */
export function isNamedError(value: unknown, name: string): boolean {
  return value instanceof Error && value.name === name;
}

// A registry-wide symbol marks AppErrors: the same in every bundled copy of this module, unlike the class itself.
const APP_ERROR = Symbol.for("defender-partner-portal.AppError");

/**
 * Next replaces a server error's message with a generic one in production builds but keeps a `digest` the error
 * already carries (next/dist/server/app-render/create-error-handler.js). Expected errors carry a digest naming their
 * kind and code, never their message, so app/error.tsx can say what happened in a production build too.
 */
export type ExpectedErrorKind = "access_denied" | "microsoft" | "app";
const DIGEST_PREFIX = "portal-expected";

export function expectedDigest(kind: ExpectedErrorKind, code: string): string {
  return `${DIGEST_PREFIX}:${kind}:${code.replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 80)}`;
}

export function parseExpectedDigest(digest: string | undefined): { kind: ExpectedErrorKind; code: string } | null {
  const m = /^portal-expected:(access_denied|microsoft|app):([A-Za-z0-9_.-]{0,80})$/.exec(digest ?? "");
  return m ? { kind: m[1] as ExpectedErrorKind, code: m[2]! } : null;
}

/**
 * The base of every expected error: something a person can read and act on (access denied, not found, Microsoft
 * refused). `code` is stable for logs and tests; `status` is what a route handler answers. Anything that is not an
 * AppError is unexpected: logged, and shown as a generic failure.
 */
export class AppError extends Error {
  override name = "AppError";
  readonly [APP_ERROR] = true;
  /** `x instanceof AppError` holds for any layer's copy; a subclass keeps its own (by-name) check. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === AppError ? isAppError(value) : Function.prototype[Symbol.hasInstance].call(this, value);
  }
  readonly digest: string;
  constructor(
    message: string,
    readonly code: string,
    readonly status = 400,
  ) {
    super(message);
    this.digest = expectedDigest("app", code);
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof Error && (value as { [APP_ERROR]?: unknown })[APP_ERROR] === true;
}
