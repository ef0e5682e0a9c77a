import { randomBytes } from "node:crypto";
import { NotifyConfigError } from "../config/notify.ts";
import { openValue, sealValue } from "../crypto/sealed.ts";

/**
 * Channel secrets at rest: AES-256-GCM under NOTIFY_ENCRYPTION_KEY (or its file), a fresh 96-bit IV per value, the
 * record's purpose as associated data (a sealed value moved to another column or row kind fails to open).
 * Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts (lib/crypto/sealed.ts).
 */
export function seal(key: Buffer | null, plaintext: string, aad: string): string {
  if (!key) throw new NotifyConfigError("Channel secrets cannot be stored: set NOTIFY_ENCRYPTION_KEY or NOTIFY_ENCRYPTION_KEY_FILE (32 random bytes).");
  return sealValue(key, plaintext, aad);
}

export function open(key: Buffer | null, sealed: string, aad: string): string {
  if (!key) throw new NotifyConfigError("Channel secrets cannot be read: NOTIFY_ENCRYPTION_KEY (or its file) is not set.");
  const [v, iv, tag, ct] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) throw new NotifyConfigError("A sealed channel secret is malformed.");
  const plain = openValue(key, sealed, aad);
  if (plain === null) throw new NotifyConfigError("A channel secret could not be decrypted: was NOTIFY_ENCRYPTION_KEY changed?");
  return plain;
}

/** A key for the demo's key file (npm start creates one under .data/). */
export function newEncryptionKey(): string {
  return randomBytes(32).toString("base64");
}
