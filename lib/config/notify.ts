import { readFileSync } from "node:fs";
import { z } from "zod";
import { AppError, isNamedError } from "../errors.ts";

/**
 * Notification settings (issue 10 §2), validated once, in the style of env.ts but on their own: the SMTP server,
 * the key that seals channel secrets, the private origins the SSRF guard lets through, and delivery timing.
 * Every variable is documented in .env.example.
 */
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const schema = z.object({
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  /** Implicit TLS (port 465). Otherwise STARTTLS is required unless SMTP_REQUIRE_TLS=false. */
  SMTP_SECURE: bool.default(false),
  SMTP_REQUIRE_TLS: bool.default(true),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD_FILE: z.string().min(1).optional(),
  SMTP_FROM: z.string().min(3).default("Defender Partner Portal <notifications@localhost>"),
  NOTIFY_ENCRYPTION_KEY: z.string().min(1).optional(),
  NOTIFY_ENCRYPTION_KEY_FILE: z.string().min(1).optional(),
  /** Comma-separated origins (scheme://host:port) a channel may target even though they are private or plain http. */
  NOTIFY_ALLOWED_PRIVATE_URLS: z.string().optional(),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  NOTIFY_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(5_000),
  NOTIFY_RETRY_MAX_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(86_400_000)
    .default(30 * 60_000),
  NOTIFY_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** The local receivers' inbox page (npm start sets it): linked from the settings page. */
  NOTIFY_DEMO_INBOX_URL: z.url().optional(),
  NEXTAUTH_URL: z.string().optional(),
});

export interface NotifyConfig {
  smtp: { host: string; port: number; secure: boolean; requireTls: boolean; user?: string; passwordFile?: string; from: string } | null;
  /** 32 bytes, or null when none is configured (channels with secrets cannot be saved). */
  encryptionKey: Buffer | null;
  allowedPrivateOrigins: string[];
  maxAttempts: number;
  sendTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  leaseMs: number;
  demoInboxUrl: string | null;
  appUrl: string;
}

export class NotifyConfigError extends AppError {
  override name = "NotifyConfigError";
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "NotifyConfigError");
  }
  constructor(message: string) {
    super(message, "notify_config", 500);
  }
}

function parseKey(raw: string, source: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== 32) throw new NotifyConfigError(`${source}: must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)`);
  return key;
}

export function parseNotifyConfig(source: Record<string, string | undefined>): NotifyConfig {
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw new NotifyConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const v = parsed.data;
  let encryptionKey: Buffer | null = null;
  if (v.NOTIFY_ENCRYPTION_KEY) encryptionKey = parseKey(v.NOTIFY_ENCRYPTION_KEY, "NOTIFY_ENCRYPTION_KEY");
  else if (v.NOTIFY_ENCRYPTION_KEY_FILE) {
    let raw: string;
    try {
      raw = readFileSync(v.NOTIFY_ENCRYPTION_KEY_FILE, "utf8");
    } catch (err) {
      // The path is not secret; the contents are, and are never echoed.
      throw new NotifyConfigError(
        `NOTIFY_ENCRYPTION_KEY_FILE: cannot read ${v.NOTIFY_ENCRYPTION_KEY_FILE} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    encryptionKey = parseKey(raw, "NOTIFY_ENCRYPTION_KEY_FILE");
  }
  const allowedPrivateOrigins = (v.NOTIFY_ALLOWED_PRIVATE_URLS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      try {
        return new URL(s).origin;
      } catch {
        throw new NotifyConfigError(`NOTIFY_ALLOWED_PRIVATE_URLS: '${s}' is not a URL`);
      }
    });
  return {
    smtp: v.SMTP_HOST
      ? {
          host: v.SMTP_HOST,
          port: v.SMTP_PORT,
          secure: v.SMTP_SECURE,
          requireTls: v.SMTP_REQUIRE_TLS,
          user: v.SMTP_USER,
          passwordFile: v.SMTP_PASSWORD_FILE,
          from: v.SMTP_FROM,
        }
      : null,
    encryptionKey,
    allowedPrivateOrigins,
    maxAttempts: v.NOTIFY_MAX_ATTEMPTS,
    sendTimeoutMs: v.NOTIFY_SEND_TIMEOUT_MS,
    retryBaseMs: v.NOTIFY_RETRY_BASE_MS,
    retryMaxMs: v.NOTIFY_RETRY_MAX_MS,
    leaseMs: v.NOTIFY_LEASE_SECONDS * 1000,
    demoInboxUrl: v.NOTIFY_DEMO_INBOX_URL ?? null,
    appUrl: (v.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/$/, ""),
  };
}

let cached: NotifyConfig | undefined;
export function notifyConfig(): NotifyConfig {
  cached ??= parseNotifyConfig(process.env);
  return cached;
}
