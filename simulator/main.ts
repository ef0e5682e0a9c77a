// Standalone simulator: `npx tsx simulator/main.ts`
// Env: SIM_PORT (8443), SIM_CERT_DIR (.data/certs), SIM_STATE_FILE, SIM_CLIENT_ID, SIM_CLIENT_SECRET,
// SIM_CLIENT_CERT_PATH (PEM certificate registered for client_assertion), SIM_REDIRECT_URIS (comma-separated),
// SIM_SEED (demo), SIM_APP_NAME, SIM_PRECONSENTED (2).
import { readFileSync } from "node:fs";
import { z } from "zod";
import { startSimulator } from "./server.ts";

const env = z
  .object({
    SIM_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
    SIM_CERT_DIR: z.string().min(1).default(".data/certs"),
    SIM_STATE_FILE: z.string().min(1).optional(),
    SIM_CLIENT_ID: z.guid().default("7c4e2f1a-3b5d-4e6f-8a9b-0c1d2e3f4a5b"),
    SIM_CLIENT_SECRET: z.string().min(1).optional(),
    SIM_CLIENT_CERT_PATH: z.string().min(1).optional(),
    SIM_REDIRECT_URIS: z
      .string()
      .default("http://localhost:3000/consent/callback,http://localhost:3000/api/auth/callback/azure-ad")
      .transform((v) =>
        v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    SIM_SEED: z.string().min(1).default("demo"),
    SIM_APP_NAME: z.string().min(1).default("Contoso MSSP Defender Portal"),
    SIM_PRECONSENTED: z.coerce.number().int().min(0).default(2),
  })
  .parse(process.env);

const handle = await startSimulator({
  port: env.SIM_PORT,
  certDir: env.SIM_CERT_DIR,
  seed: env.SIM_SEED,
  ...(env.SIM_STATE_FILE ? { stateFile: env.SIM_STATE_FILE } : {}),
  app: {
    clientId: env.SIM_CLIENT_ID,
    displayName: env.SIM_APP_NAME,
    clientSecrets: env.SIM_CLIENT_SECRET ? [env.SIM_CLIENT_SECRET] : [],
    certificates: env.SIM_CLIENT_CERT_PATH ? [readFileSync(env.SIM_CLIENT_CERT_PATH, "utf8")] : [],
    redirectUris: env.SIM_REDIRECT_URIS,
  },
  preconsentedCustomers: env.SIM_PRECONSENTED,
  log: (line) => console.log(`[sim] ${line}`),
});

const dir = handle.directory;
console.log(`[sim] partner tenant ${dir.partner.displayName}: ${dir.partner.id}`);
for (const c of dir.customers) {
  console.log(
    `[sim]   customer ${c.displayName.padEnd(18)} ${c.id} ${c.domain}${c.defenderLicence ? "" : " (no Defender licence)"}${c.consented ? " consented" : ""}`,
  );
}

let closing = false;
const shutdown = (signal: string) => {
  if (closing) return;
  closing = true;
  console.log(`[sim] ${signal}: closing`);
  handle.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
