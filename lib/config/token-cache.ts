import { readFileSync } from "node:fs";
import { parseKeyText } from "../crypto/sealed.ts";
import { AppError, isNamedError } from "../errors.ts";

/**
 * The key that seals analysts' delegated token caches (issue 13): TOKEN_CACHE_ENCRYPTION_KEY (32 bytes, base64 or hex)
 * or TOKEN_CACHE_ENCRYPTION_KEY_FILE, read once, as NOTIFY_ENCRYPTION_KEY is (lib/config/notify.ts). Without one,
 * analysts cannot connect to customer tenants (application write mode keeps working).
 */
export class TokenCacheConfigError extends AppError {
  override name = "TokenCacheConfigError";
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "TokenCacheConfigError");
  }
  constructor(message: string) {
    super(message, "token_cache_config", 500);
  }
}

export function parseTokenCacheKey(env: Record<string, string | undefined>): Buffer | null {
  const inline = env.TOKEN_CACHE_ENCRYPTION_KEY?.trim();
  const file = env.TOKEN_CACHE_ENCRYPTION_KEY_FILE?.trim();
  let raw: string;
  let source: string;
  if (inline) {
    raw = inline;
    source = "TOKEN_CACHE_ENCRYPTION_KEY";
  } else if (file) {
    try {
      raw = readFileSync(file, "utf8");
    } catch (err) {
      // The path is not secret; the contents are, and are never echoed.
      throw new TokenCacheConfigError(`TOKEN_CACHE_ENCRYPTION_KEY_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    source = "TOKEN_CACHE_ENCRYPTION_KEY_FILE";
  } else {
    return null;
  }
  const key = parseKeyText(raw);
  if (!key) throw new TokenCacheConfigError(`${source}: must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)`);
  return key;
}

let cached: { key: Buffer | null } | undefined;
/** The configured key, or null when none is set. */
export function tokenCacheKey(): Buffer | null {
  cached ??= { key: parseTokenCacheKey(process.env) };
  return cached.key;
}
