/**
 * Content security policies. Pages get a fresh nonce per request (set by proxy.ts): Next.js puts it on every script
 * it renders, and 'strict-dynamic' lets those scripts load the app's chunks, so no other script can run, inline
 * or not, even if tenant data ever slipped past React's escaping. Styles stay 'unsafe-inline' (style injection
 * cannot run code, and next/font and React may emit inline styles). Route handlers get theirs from next.config.js.
 */
export function pageCsp(nonce: string, opts: { dev: boolean }): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code for its error overlay; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A nonce as CSP wants it: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
