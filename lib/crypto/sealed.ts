import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Secrets at rest: AES-256-GCM under a 32-byte key, a fresh 96-bit IV per value, the record's purpose as associated
 * data (a sealed value moved to another column, row or kind fails to open). Format: `v1.<iv>.<tag>.<ciphertext>`,
 * base64url parts. Used for notification channel secrets (lib/notify/crypto.ts) and analysts' delegated token caches
 * (lib/microsoft/delegated-cache.ts); each caller turns a failure into its own error.
 */
export function sealValue(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

/** The plaintext, or null when the value is malformed or does not open under this key and associated data. */
export function openValue(key: Buffer, sealed: string, aad: string): string | null {
  const [v, iv, tag, ct] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

/** A 32-byte key from 64 hex digits or base64; null when it is neither. */
export function parseKeyText(raw: string): Buffer | null {
  const text = raw.trim();
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  return key.length === 32 ? key : null;
}
