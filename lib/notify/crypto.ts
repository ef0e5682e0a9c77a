import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { NotifyConfigError } from "../config/notify.ts";

/**
 * Channel secrets at rest: AES-256-GCM under NOTIFY_ENCRYPTION_KEY (or its file), a fresh 96-bit IV per value, the
 * record's purpose as associated data (a sealed value moved to another column or row kind fails to open).
 * Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export function seal(key: Buffer | null, plaintext: string, aad: string): string {
  if (!key) throw new NotifyConfigError("Channel secrets cannot be stored: set NOTIFY_ENCRYPTION_KEY or NOTIFY_ENCRYPTION_KEY_FILE (32 random bytes).");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

export function open(key: Buffer | null, sealed: string, aad: string): string {
  if (!key) throw new NotifyConfigError("Channel secrets cannot be read: NOTIFY_ENCRYPTION_KEY (or its file) is not set.");
  const [v, iv, tag, ct] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) throw new NotifyConfigError("A sealed channel secret is malformed.");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new NotifyConfigError("A channel secret could not be decrypted: was NOTIFY_ENCRYPTION_KEY changed?");
  }
}

/** A key for the demo's key file (npm start creates one under .data/). */
export function newEncryptionKey(): string {
  return randomBytes(32).toString("base64");
}
