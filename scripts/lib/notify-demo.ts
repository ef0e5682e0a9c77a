import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { newEncryptionKey } from "../../lib/notify/crypto.ts";
import type { ReceiversHandle } from "../../simulator/receivers/server.ts";

/**
 * The demo's notification settings: a key file for channel secrets under .data/ (created once, like the other dev
 * secrets, git-ignored), SMTP to the local receiver, and the local receiver as the only private origin allowed.
 */
export function loadOrCreateNotifyKey(file: string): { file: string; key: Buffer } {
  const path = resolve(file);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${newEncryptionKey()}\n`, { mode: 0o600 });
  }
  return { file: path, key: Buffer.from(readFileSync(path, "utf8").trim(), "base64") };
}

export function notifyDemoEnv(rx: Pick<ReceiversHandle, "httpUrl" | "smtpPort">, keyFile: string): Record<string, string> {
  return {
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(rx.smtpPort),
    // The local receiver speaks plain SMTP on loopback; a real server gets STARTTLS or SMTP_SECURE.
    SMTP_REQUIRE_TLS: "false",
    SMTP_FROM: "Defender Partner Portal <notifications@localhost>",
    NOTIFY_ENCRYPTION_KEY_FILE: keyFile,
    NOTIFY_ALLOWED_PRIVATE_URLS: rx.httpUrl,
    NOTIFY_DEMO_INBOX_URL: `${rx.httpUrl}/`,
  };
}
