import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { generators, Issuer, type BaseClient } from "openid-client";
import { CERT_DIR } from "../../scripts/lib/stack.ts";
import { createSelfSignedCertificate } from "../../simulator/certs.ts";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";

/**
 * Partner sign-in with a certificate instead of a client secret: the code is redeemed with the portal's own client
 * assertion (x5t#S256, PS256), the way next-auth calls the provider's token request, against the simulator's
 * token endpoint; openid-client still checks state, PKCE, nonce and the id token. An unregistered certificate is refused.
 */
const clientId = randomUUID();
const appUrl = "http://localhost:3998";
const callbackUrl = `${appUrl}/api/auth/callback/azure-ad`;
const registered = createSelfSignedCertificate("portal-signin");
const stranger = createSelfSignedCertificate("someone-else");
let sim: SimulatorHandle;
let authOptions: typeof import("../../lib/auth/options.ts").authOptions;
let parseServerConfig: typeof import("../../lib/config/env.ts").parseServerConfig;

before(async () => {
  sim = await startSimulator({
    port: 0,
    certDir: CERT_DIR,
    seed: "signin-cert-tests",
    app: { clientId, displayName: "Cert sign-in", clientSecrets: [], certificates: [registered.certPem], redirectUris: [callbackUrl] },
    defender: false,
  });
  ({ authOptions } = await import("../../lib/auth/options.ts"));
  ({ parseServerConfig } = await import("../../lib/config/env.ts"));
});
after(() => sim?.close());

function providerFor(cert: typeof registered) {
  const dir = mkdtempSync(join(tmpdir(), "signin-cert-"));
  writeFileSync(join(dir, "key.pem"), cert.privateKeyPem, { mode: 0o600 });
  const cfg = parseServerConfig({
    DATABASE_URL: "postgresql://localhost:1/unused",
    NEXTAUTH_URL: appUrl,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    ENTRA_AUTHORITY_HOST: sim.url,
    ENTRA_PARTNER_TENANT_ID: sim.directory.partner.id,
    ENTRA_CLIENT_ID: clientId,
    ENTRA_CLIENT_CERTIFICATE_KEY_FILE: join(dir, "key.pem"),
    ENTRA_CLIENT_CERTIFICATE_THUMBPRINT_SHA256: cert.thumbprintSha256Hex,
  });
  return authOptions(cfg).providers[0] as unknown as {
    wellKnown: string;
    client: Record<string, string>;
    clientSecret?: string;
    token: {
      request(ctx: {
        provider: { callbackUrl: string };
        params: object;
        checks: object;
        client: BaseClient;
      }): Promise<{ tokens: { id_token?: string; claims(): Record<string, unknown> } }>;
    };
  };
}

/** The browser's part: authorize at the partner tenant, pick the admin on the simulator's account page, follow to the callback. */
async function signInAtEntra(client: BaseClient) {
  const checks = { code_verifier: generators.codeVerifier(), state: generators.state(), nonce: generators.nonce() };
  const url = client.authorizationUrl({
    scope: "openid profile email",
    redirect_uri: callbackUrl,
    state: checks.state,
    nonce: checks.nonce,
    code_challenge: generators.codeChallenge(checks.code_verifier),
    code_challenge_method: "S256",
  });
  const page = await (await fetch(url)).text();
  const tx = /name="tx" value="([^"]+)"/.exec(page)?.[1];
  const admin = sim.directory.partner.users.find((u) => u.roles.includes("Portal.Admin"))!;
  assert.ok(tx, "the simulator shows its account picker");
  const login = await fetch(`${sim.url}/${sim.directory.partner.id}/login`, {
    method: "POST",
    body: new URLSearchParams({ tx, upn: admin.upn }),
    redirect: "manual",
  });
  const location = login.headers.get("location") ?? "";
  assert.ok(location.startsWith(callbackUrl), `redirected to the portal's callback, got ${login.status} ${location}`);
  return { params: client.callbackParams(location), checks, admin };
}

test("a certificate credential signs partner staff in: the code is redeemed with the portal's client assertion", async () => {
  const provider = providerFor(registered);
  assert.equal(provider.clientSecret, undefined, "no secret is configured or sent");
  const issuer = await Issuer.discover(provider.wellKnown);
  const client = new issuer.Client({ client_id: clientId, redirect_uris: [callbackUrl], ...provider.client });
  const { params, checks, admin } = await signInAtEntra(client);
  const { tokens } = await provider.token.request({ provider: { callbackUrl }, params, checks, client });
  const claims = tokens.claims();
  assert.equal(claims.tid, sim.directory.partner.id);
  assert.equal(claims.preferred_username, admin.upn);
  assert.equal(claims.nonce, checks.nonce);
});

test("a certificate Entra does not know for the app is refused at the code redemption", async () => {
  const provider = providerFor(stranger);
  const issuer = await Issuer.discover(provider.wellKnown);
  const client = new issuer.Client({ client_id: clientId, redirect_uris: [callbackUrl], ...provider.client });
  const { params, checks } = await signInAtEntra(client);
  await assert.rejects(provider.token.request({ provider: { callbackUrl }, params, checks, client }), (err: Error) =>
    /invalid_client|AADSTS700027/.test(`${(err as { error?: string }).error} ${err.message}`),
  );
});
