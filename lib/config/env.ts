import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_REQUIRED_PERMISSIONS, requiredPermissionsSchema, type RequiredPermission } from "./permissions";
import { AppError, isNamedError } from "../errors.ts";
import { parseTrustedProxies, type TrustedProxies } from "../security/client-address";

/**
 * The portal's server configuration, validated once. Every variable is documented in .env.example.
 * `npm start` fills these for the embedded demo; production sets them itself.
 */
const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

const schema = z
  .object({
    DATABASE_URL: z.string().startsWith("postgres", "must be a postgres:// or postgresql:// URL"),
    NEXTAUTH_URL: z
      .url("must be the portal's public URL, e.g. https://portal.example.com")
      // Session cookies are Secure only over https; plain http is for this machine (the demo, the tests).
      .refine((u) => u.startsWith("https://") || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(u), {
        message: "must use https:// (plain http is accepted only for localhost)",
      }),
    NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 random characters (openssl rand -base64 32)"),
    ENTRA_AUTHORITY_HOST: z.url().default("https://login.microsoftonline.com"),
    ENTRA_PARTNER_TENANT_ID: guid,
    ENTRA_CLIENT_ID: guid,
    ENTRA_CLIENT_SECRET: z.string().min(1).optional(),
    ENTRA_CLIENT_SECRET_FILE: z.string().min(1).optional(),
    ENTRA_CLIENT_CERTIFICATE_KEY_FILE: z.string().min(1).optional(),
    ENTRA_CLIENT_CERTIFICATE_THUMBPRINT_SHA256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "must be the certificate's SHA-256 thumbprint (64 hex digits)")
      .optional(),
    PARTNER_NAME: z.string().min(1).default("Your MSSP"),
    PARTNER_CONTACT_EMAIL: z.email().optional(),
    CONSENT_LINK_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 90)
      .default(24 * 7),
    REQUIRED_PERMISSIONS: z.string().optional(),
    BOOTSTRAP_ADMIN_EMAIL: z.email().optional(),
    DEFENDER_DATA_SOURCE: z
      .enum(["graph", "defender"], { message: 'must be "graph" (Microsoft Graph security API) or "defender" (Defender XDR + MDE APIs)' })
      .default("graph"),
    SYNC_INTERVAL_MINUTES: z.coerce
      .number()
      .min(1)
      .max(24 * 60)
      .default(5),
    SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    // How long a sync run may go without a heartbeat before the scheduler takes its worker for dead.
    SYNC_LEASE_SECONDS: z.coerce.number().int().min(4).max(3600).default(60),
    MICROSOFT_API_BASE: z.url().optional(),
    // --- Sessions and staff access (issue #9 §3) ---
    SESSION_MAX_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 7)
      .default(12),
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .positive()
      .max(24 * 60)
      .default(60),
    // At most 60: the promise is that a role changed in Entra takes effect within one hour.
    ROLE_REFRESH_MINUTES: z.coerce.number().positive().max(60, "must be at most 60 (role changes in Entra must take effect within an hour)").default(60),

    // --- Hardening: anonymous rate limit, retention, bounds (issue #9 §4, §5) ---
    ANON_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
    TRUSTED_PROXIES: z
      .string()
      .optional()
      .superRefine((v, ctx) => {
        try {
          parseTrustedProxies(v);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: (err as Error).message });
        }
      }),
    RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(400),
    SIEM_MAX_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    MICROSOFT_MAX_RESPONSE_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(32 * 1024 * 1024),
    LIVE_REFRESH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(4_000),
    // --- end of hardening block ---
    // --- Operations: metrics, logs, shutdown (issue 12 §4) ---
    // The web process serves GET /api/metrics only with this bearer token (unset: the path answers 404).
    // An empty value means unset (a template that leaves it blank turns the path off, not the whole portal).
    METRICS_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(16, "must be at least 16 random characters (openssl rand -hex 24)").optional(),
    ),
    // The worker's metrics port (unset: no metrics server) and the address it binds (loopback by default).
    METRICS_PORT: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(0).max(65_535).optional()),
    METRICS_HOST: z.string().min(1).default("127.0.0.1"),
    // How long SIGTERM waits for running jobs (worker) or in-flight requests (web) before exiting anyway.
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(25),
    // Read by lib/ops/log.ts itself (the logger works before the configuration is parsed); validated here.
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).optional(),
  })
  .superRefine((v, ctx) => {
    const secret = Boolean(v.ENTRA_CLIENT_SECRET || v.ENTRA_CLIENT_SECRET_FILE);
    const cert = Boolean(v.ENTRA_CLIENT_CERTIFICATE_KEY_FILE || v.ENTRA_CLIENT_CERTIFICATE_THUMBPRINT_SHA256);
    if (!secret && !cert) {
      ctx.addIssue({
        code: "custom",
        path: ["ENTRA_CLIENT_SECRET"],
        message:
          "set a client credential: ENTRA_CLIENT_SECRET (or ENTRA_CLIENT_SECRET_FILE), or ENTRA_CLIENT_CERTIFICATE_KEY_FILE with ENTRA_CLIENT_CERTIFICATE_THUMBPRINT_SHA256",
      });
    }
    if (cert && !(v.ENTRA_CLIENT_CERTIFICATE_KEY_FILE && v.ENTRA_CLIENT_CERTIFICATE_THUMBPRINT_SHA256)) {
      ctx.addIssue({
        code: "custom",
        path: ["ENTRA_CLIENT_CERTIFICATE_KEY_FILE"],
        message: "a certificate credential needs both ENTRA_CLIENT_CERTIFICATE_KEY_FILE and ENTRA_CLIENT_CERTIFICATE_THUMBPRINT_SHA256",
      });
    }
  });

export type ClientCredential =
  { kind: "secret"; source: "env" | "file"; secret: string } | { kind: "certificate"; privateKeyPem: string; thumbprintSha256: string; keyFile: string };

export interface ServerConfig {
  databaseUrl: string;
  appUrl: string;
  authSecret: string;
  authorityHost: string;
  partnerTenantId: string;
  clientId: string;
  credential: ClientCredential;
  partnerName: string;
  partnerContactEmail: string | undefined;
  consentLinkTtlHours: number;
  requiredPermissions: RequiredPermission[];
  bootstrapAdminEmail: string | undefined;
  dataSource: "graph" | "defender";
  syncIntervalMinutes: number;
  syncLeaseSeconds: number;
  syncConcurrency: number;
  /** A prefix for every Microsoft API host (the local simulator); null = Microsoft's own hosts. */
  apiBaseUrl: string | null;
  /** Sessions and staff access (issue #9 §3). */
  sessions: SessionPolicy;

  // --- Hardening (issue #9 §4, §5) ---
  /** Requests per client and minute on each anonymous route class (consent callback, onboarding, outcome). */
  anonRateLimitPerMinute: number;
  /** Proxies whose X-Forwarded-For decides the client address; null = the socket address only. */
  trustedProxies: TrustedProxies | null;
  /** Consent ledger and audit rows older than this are purged daily. */
  retentionDays: number;
  /** The SIEM importer's largest `limit` (the API itself documents none). */
  siemMaxLimit: number;
  /** Microsoft response bodies beyond this are refused (read as a stream, reading stops there). */
  microsoftMaxResponseBytes: number;
  /** How long the incident page waits for Microsoft before it shows the stored copy. */
  liveRefreshTimeoutMs: number;

  // --- Operations (issue 12 §4) ---
  /** Bearer token for GET /api/metrics (and the worker's port when set); null = the web path answers 404. */
  metricsToken: string | null;
  /** The worker's metrics port; null = none. */
  metricsPort: number | null;
  metricsHost: string;
  /** SIGTERM: how long running jobs or in-flight requests get before the process exits anyway. */
  shutdownTimeoutMs: number;
}

export interface SessionPolicy {
  /** Absolute lifetime from sign-in, whatever the activity. */
  maxAgeMs: number;
  /** A session unused this long ends. */
  idleMs: number;
  /** A role read from an id token longer ago than this is read again (re-authentication). */
  roleRefreshMs: number;
}

export class ConfigError extends AppError {
  override name = "ConfigError";
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, "ConfigError");
  }
  constructor(problems: string[]) {
    super(`The portal's configuration is incomplete:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example.`, "config_incomplete", 500);
  }
}

export function parseServerConfig(source: Record<string, string | undefined>): ServerConfig {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "env"}: ${i.message}`));
  }
  const v = parsed.data;
  let requiredPermissions = DEFAULT_REQUIRED_PERMISSIONS;
  if (v.REQUIRED_PERMISSIONS) {
    const perms = requiredPermissionsSchema.safeParse(v.REQUIRED_PERMISSIONS);
    if (!perms.success) throw new ConfigError(perms.error.issues.map((i) => `REQUIRED_PERMISSIONS: ${i.message}`));
    requiredPermissions = perms.data;
  }
  return {
    databaseUrl: v.DATABASE_URL,
    appUrl: v.NEXTAUTH_URL.replace(/\/$/, ""),
    authSecret: v.NEXTAUTH_SECRET,
    authorityHost: v.ENTRA_AUTHORITY_HOST.replace(/\/$/, ""),
    partnerTenantId: v.ENTRA_PARTNER_TENANT_ID.toLowerCase(),
    clientId: v.ENTRA_CLIENT_ID.toLowerCase(),
    credential: readCredential(v),
    partnerName: v.PARTNER_NAME,
    partnerContactEmail: v.PARTNER_CONTACT_EMAIL,
    consentLinkTtlHours: v.CONSENT_LINK_TTL_HOURS,
    requiredPermissions,
    bootstrapAdminEmail: v.BOOTSTRAP_ADMIN_EMAIL?.toLowerCase(),
    dataSource: v.DEFENDER_DATA_SOURCE,
    syncIntervalMinutes: v.SYNC_INTERVAL_MINUTES,
    syncConcurrency: v.SYNC_CONCURRENCY,
    syncLeaseSeconds: v.SYNC_LEASE_SECONDS,
    apiBaseUrl: v.MICROSOFT_API_BASE?.replace(/\/$/, "") ?? null,
    sessions: {
      maxAgeMs: v.SESSION_MAX_HOURS * 3_600_000,
      idleMs: v.SESSION_IDLE_MINUTES * 60_000,
      roleRefreshMs: v.ROLE_REFRESH_MINUTES * 60_000,
    },
    anonRateLimitPerMinute: v.ANON_RATE_LIMIT_PER_MINUTE,
    trustedProxies: parseTrustedProxies(v.TRUSTED_PROXIES),
    retentionDays: v.RETENTION_DAYS,
    siemMaxLimit: v.SIEM_MAX_LIMIT,
    microsoftMaxResponseBytes: v.MICROSOFT_MAX_RESPONSE_BYTES,
    liveRefreshTimeoutMs: v.LIVE_REFRESH_TIMEOUT_MS,
    metricsToken: v.METRICS_TOKEN ?? null,
    metricsPort: v.METRICS_PORT ?? null,
    metricsHost: v.METRICS_HOST,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  };
}

function readCredential(v: z.infer<typeof schema>): ClientCredential {
  if (v.ENTRA_CLIENT_CERTIFICATE_KEY_FILE && v.ENTRA_CLIENT_CERTIFICATE_THUMBPRINT_SHA256) {
    return {
      kind: "certificate",
      privateKeyPem: readSecretFile("ENTRA_CLIENT_CERTIFICATE_KEY_FILE", v.ENTRA_CLIENT_CERTIFICATE_KEY_FILE),
      thumbprintSha256: v.ENTRA_CLIENT_CERTIFICATE_THUMBPRINT_SHA256.toUpperCase(),
      keyFile: v.ENTRA_CLIENT_CERTIFICATE_KEY_FILE,
    };
  }
  if (v.ENTRA_CLIENT_SECRET) return { kind: "secret", source: "env", secret: v.ENTRA_CLIENT_SECRET };
  return { kind: "secret", source: "file", secret: readSecretFile("ENTRA_CLIENT_SECRET_FILE", v.ENTRA_CLIENT_SECRET_FILE!).trim() };
}

function readSecretFile(variable: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    // The path is not secret; the contents are, and are never echoed.
    throw new ConfigError([`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`]);
  }
}

let cached: ServerConfig | undefined;
/** The validated config of this process, parsed on first use. */
export function serverConfig(): ServerConfig {
  cached ??= parseServerConfig(process.env);
  return cached;
}
