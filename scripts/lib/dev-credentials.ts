import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";

/**
 * The local demo's app registration and secrets, created once per checkout under .data/ (git-ignored) so sessions and
 * consents survive restarts. Never used when real Entra settings are configured.
 */
const schema = z.object({ clientId: z.string().uuid(), clientSecret: z.string().min(32), authSecret: z.string().min(32) });
export type DevCredentials = z.infer<typeof schema>;

export function loadOrCreateDevCredentials(file: string): DevCredentials {
  if (existsSync(file)) {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (parsed.success) return parsed.data;
  }
  const creds: DevCredentials = {
    clientId: randomUUID(),
    clientSecret: randomBytes(30).toString("base64url"),
    authSecret: randomBytes(32).toString("base64url"),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}
