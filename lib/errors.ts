/**
 * `instanceof` by name. Next bundles a module once per layer (route handlers, server components, actions), while
 * the process-wide clients live on globalThis, so an error thrown by one layer's class reaches code holding another
 * layer's class. Each error class below answers `instanceof` by its `name`, which is the same in every copy.
 */
export function isNamedError(value: unknown, name: string): boolean {
  return value instanceof Error && value.name === name;
}
