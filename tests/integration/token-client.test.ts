import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { TenantTokenClient, TokenAcquisitionError } from "../../lib/microsoft/token-client.ts";
import { CERT_DIR } from "../../scripts/lib/stack.ts";
import { createSelfSignedCertificate } from "../../simulator/certs.ts";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";
import { SimControl } from "../support/sim-control.ts";

/** The portal's token client against the simulator with real MSAL: secret and certificate, errors, cache reuse. */
const clientId = randomUUID();
const secret = randomBytes(24).toString("base64url");
const cert = createSelfSignedCertificate("portal-test");
let sim: SimulatorHandle;
let control: SimControl;

before(async () => {
  sim = await startSimulator({
    port: 0,
    certDir: CERT_DIR,
    seed: "token-tests",
    preconsentedCustomers: 2,
    app: { clientId, displayName: "T", clientSecrets: [secret], certificates: [cert.certPem], redirectUris: [] },
  });
  control = new SimControl(sim.url);
});
after(() => sim?.close());

const XDR = "https://api.security.microsoft.com";

test("certificate credential: a token per tenant and resource, reused from the cache until near expiry", async () => {
  const tokens = new TenantTokenClient({
    authorityHost: sim.url,
    clientId,
    credential: { kind: "certificate", privateKeyPem: cert.privateKeyPem, thumbprintSha256: cert.thumbprintSha256Hex, keyFile: "(test)" },
  });
  const tenant = sim.directory.customers[0]!.id;
  await control.resetRequests();
  const first = await tokens.acquire(tenant, XDR);
  assert.equal(first.tenantId, tenant);
  assert.ok(first.roles.includes("Incident.Read.All"));
  assert.equal(first.fromCache, false);
  const again = await tokens.acquire(tenant, XDR);
  assert.equal(again.fromCache, true);
  await tokens.acquire(sim.directory.customers[1]!.id, XDR);
  const counts = await control.requests();
  const tokenCalls = Object.entries(counts)
    .filter(([k]) => k.startsWith("token"))
    .flatMap(([, byTenant]) => Object.values(byTenant));
  assert.ok(tokenCalls.length > 0);
  assert.equal(counts[`token:${XDR}`]?.[tenant], 1, "one token request for this tenant and resource");
});

test("concurrent first requests for one tenant and resource share one token request", async () => {
  const tokens = new TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret } });
  const tenant = sim.directory.customers[1]!.id;
  await control.resetRequests();
  const all = await Promise.all(Array.from({ length: 8 }, () => tokens.acquire(tenant, XDR)));
  assert.equal(new Set(all.map((t) => t.accessToken)).size, 1);
  assert.equal((await control.requests())[`token:${XDR}`]?.[tenant], 1);
});

test("a wrong secret and a tenant without consent map to plain-words failures", async () => {
  const bad = new TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: "wrong" } });
  await assert.rejects(
    bad.acquire(sim.directory.customers[0]!.id, XDR),
    (e: unknown) => e instanceof TokenAcquisitionError && e.kind === "bad_credential" && e.code === "AADSTS7000215",
  );
  const good = new TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret } });
  await assert.rejects(
    good.acquire(sim.directory.customers[4]!.id, XDR),
    (e: unknown) => e instanceof TokenAcquisitionError && e.kind === "not_consented" && /not consented/.test(e.message),
  );
  await assert.rejects(good.acquire("not-a-guid", XDR), (e: unknown) => e instanceof TokenAcquisitionError && e.code === "invalid_tenant_id");
});
