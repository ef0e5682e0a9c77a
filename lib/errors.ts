/**
 * `instanceof` by name. Next bundles a module once per layer (route handlers, server components, actions), while
 * the process-wide clients live on globalThis, so an error thrown by one layer's class reaches code holding another
 * layer's class. Each error class below answers `instanceof` by its `name`, which is the same in every copy.
 */
export function isNamedError(value: unknown, name: string): boolean {
  return value instanceof Error && value.name === name;
}

/**
 * The base of every expected error: something a person can read and act on (access denied, not found, Microsoft
 * refused). `code` is stable for logs and tests; `status` is what a route handler answers. Anything that is not an
 * AppError is unexpected: logged, and shown as a generic failure.
 */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    message: string,
    readonly code: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof Error && typeof (value as { code?: unknown }).code === "string" && typeof (value as { status?: unknown }).status === "number";
}
