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

const DEMO_TITLES = [
  "Ransomware behaviour detected on FIN-WS-014",
  "Credential theft with Mimikatz on DC01",
  "Suspicious inbox forwarding rule for the CFO",
  "Cobalt Strike beacon on SRV-APP-07",
];

/** The inbox page's demo button: a high-severity incident at the first consented, licensed tenant of the simulator. */
export async function createDemoIncident(sim: { url: string }): Promise<string> {
  const dir = (await (await fetch(`${sim.url}/_sim/directory`)).json()) as {
    customers: { id: string; displayName: string; consented: boolean; defenderLicence: boolean }[];
  };
  const tenant = dir.customers.find((c) => c.consented && c.defenderLicence);
  if (!tenant) return "No consented customer with a Defender licence at the simulator yet.";
  const title = DEMO_TITLES[Math.floor(Math.random() * DEMO_TITLES.length)]!;
  const res = await fetch(`${sim.url}/_sim/tenants/${tenant.id}/defender/incidents`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title, severity: "High" }),
  });
  if (!res.ok) return `The simulator refused (${res.status}).`;
  return `Created “${title}” at ${tenant.displayName}. It arrives here after that customer's next sync: use Refresh now on its page in the portal, or wait for the scheduled run.`;
}
