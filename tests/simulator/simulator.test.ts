// Entra simulator, exercised with real clients (msal-node, openid-client, jose) and with fetch
// following the HTML forms the way a browser would.
// Run: NODE_EXTRA_CA_CERTS=.data/certs/ca.pem node --import tsx --test tests/simulator/*.test.ts
import assert from "node:assert/strict";
import { createSign, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ConfidentialClientApplication, type AuthenticationResult } from "@azure/msal-node";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { Issuer, generators } from "openid-client";
import { createSelfSignedCertificate, type SelfSignedCertificate } from "../../simulator/certs.ts";
import { Directory, type TenantView } from "../../simulator/directory.ts";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";

const CERT_DIR = ".data/certs";
const CLIENT_ID = "7c4e2f1a-3b5d-4e6f-8a9b-0c1d2e3f4a5b";
// Characters that must survive client_secret_basic's form-url-encoding.
const SECRET = "s3cr3t:with+special/chars=~";
const CONSENT_CB = "http://localhost:3000/consent/callback";
const AUTH_CB = "http://localhost:3000/api/auth/callback/azure-ad";
const MTP = "https://api.security.microsoft.com";
const WDATP = "https://api.securitycenter.microsoft.com";
const GRAPH = "https://graph.microsoft.com";

let sim: SimulatorHandle;
let cert: SelfSignedCertificate;
let host: string;

before(async () => {
  if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error("Run with NODE_EXTRA_CA_CERTS=.data/certs/ca.pem");
  cert = createSelfSignedCertificate("portal-client-cert");
  sim = await startSimulator({
    port: 0,
    certDir: CERT_DIR,
    seed: "test",
    app: {
      clientId: CLIENT_ID,
      displayName: "Contoso MSSP Defender Portal",
      clientSecrets: [SECRET],
      certificates: [cert.certPem],
      redirectUris: [CONSENT_CB, AUTH_CB],
    },
    preconsentedCustomers: 2,
  });
  host = `localhost:${sim.port}`;
});

after(async () => {
  await sim?.close();
});

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

const customer = (name: string): TenantView => {
  const t = sim.directory.customers.find((c) => c.displayName === name);
  assert.ok(t, `no tenant ${name}`);
  return t;
};

function msal(opts: { secret?: string; certificate?: boolean; authorityTenant?: string; authorityMetadata?: string } = {}) {
  return new ConfidentialClientApplication({
    auth: {
      clientId: CLIENT_ID,
      authority: `${sim.url}/${opts.authorityTenant ?? sim.directory.partner.id}`,
      knownAuthorities: [host],
      ...(opts.certificate
        ? { clientCertificate: { thumbprintSha256: cert.thumbprintSha256Hex, privateKey: cert.privateKeyPem } }
        : { clientSecret: opts.secret ?? SECRET }),
      ...(opts.authorityMetadata ? { authorityMetadata: opts.authorityMetadata } : {}),
    },
  });
}

async function appToken(cca: ConfidentialClientApplication, tenantId: string, resource: string, skipCache = false): Promise<AuthenticationResult> {
  const r = await cca.acquireTokenByClientCredential({ scopes: [`${resource}/.default`], authority: `${sim.url}/${tenantId}`, skipCache });
  assert.ok(r);
  return r;
}

async function msalError(p: Promise<unknown>): Promise<{ errorCode: string; errorNo?: string | number; errorMessage: string }> {
  try {
    await p;
  } catch (err) {
    return err as { errorCode: string; errorNo?: string | number; errorMessage: string };
  }
  assert.fail("expected an error");
}

async function control(method: string, p: string, body?: unknown): Promise<Response> {
  return fetch(`${sim.url}${p}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function newTenant(displayName: string, defenderLicence = true): Promise<TenantView> {
  const res = await control("POST", "/_sim/tenants", { displayName, defenderLicence });
  assert.equal(res.status, 201);
  return (await res.json()) as TenantView;
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, "`")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The POST form whose button is labelled `label`, as a browser would submit it. */
function findForm(html: string, label: string): { action: string; fields: Record<string, string> } {
  for (const m of html.matchAll(/<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const button = /<button[^>]*>([\s\S]*?)<\/button>/.exec(m[2]!);
    if (!button || unescapeHtml(button[1]!) !== label) continue;
    const fields: Record<string, string> = {};
    for (const i of m[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeHtml(i[1]!)] = unescapeHtml(i[2]!);
    return { action: unescapeHtml(m[1]!), fields };
  }
  throw new Error(`no form with button '${label}' in:\n${html.slice(0, 2000)}`);
}

async function get(url: string): Promise<Response> {
  return fetch(url.startsWith("http") ? url : `${sim.url}${url}`, { redirect: "manual" });
}

async function submit(html: string, label: string): Promise<Response> {
  const form = findForm(html, label);
  return fetch(new URL(form.action, sim.url), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form.fields).toString(),
  });
}

function location(res: Response): URL {
  assert.equal(res.status, 302, `expected a redirect, got ${res.status}`);
  return new URL(res.headers.get("location")!);
}

async function counters(): Promise<Record<string, Record<string, number>>> {
  return (await (await control("GET", "/_sim/requests")).json()) as Record<string, Record<string, number>>;
}

/** Walks an admin consent URL: account picker -> `upn` -> (consent page | need-approval page). */
async function signInForConsent(url: string, upn: string): Promise<string> {
  const picker = await get(url);
  assert.equal(picker.status, 200);
  const next = await submit(await picker.text(), `Sign in as ${upn}`);
  assert.equal(next.status, 200);
  return next.text();
}

// ---------------------------------------------------------------------------------------------
// client credentials with msal-node
// ---------------------------------------------------------------------------------------------

describe("client credentials (msal-node)", () => {
  test("secret grant returns a v1 token with the granted roles; second call comes from the cache", async () => {
    await control("POST", "/_sim/requests/reset");
    const fabrikam = customer("Fabrikam");
    const cca = msal();
    const r = await appToken(cca, fabrikam.id, MTP);
    assert.equal(r.fromCache, false);
    const claims = decodeJwt(r.accessToken);
    assert.equal(claims.aud, MTP);
    assert.equal(claims.iss, `https://sts.windows.net/${fabrikam.id}/`);
    assert.equal(claims.idp, `https://sts.windows.net/${fabrikam.id}/`);
    assert.equal(claims.tid, fabrikam.id);
    assert.equal(claims.appid, CLIENT_ID);
    assert.equal(claims.appidacr, "1");
    assert.equal(claims.oid, fabrikam.servicePrincipalId);
    assert.equal(claims.sub, fabrikam.servicePrincipalId);
    assert.equal(claims.ver, "1.0");
    assert.deepEqual(claims.roles, ["Incident.Read.All"]);
    assert.equal((claims.exp as number) - (claims.iat as number), 3599);
    assert.ok(typeof claims.uti === "string" && typeof claims.rh === "string");

    // Signature checks out against the published JWKS and through the data-API seam.
    const jwks = createRemoteJWKSet(new URL(`${sim.url}/${fabrikam.id}/discovery/v2.0/keys`));
    const { protectedHeader } = await jwtVerify(r.accessToken, jwks, { issuer: `https://sts.windows.net/${fabrikam.id}/`, audience: MTP });
    assert.equal(protectedHeader.typ, "JWT");
    assert.equal(protectedHeader.x5t, protectedHeader.kid);
    assert.deepEqual(sim.verifyAccessToken(r.accessToken).roles, ["Incident.Read.All"]);

    const again = await appToken(cca, fabrikam.id, MTP);
    assert.equal(again.fromCache, true);
    const c = await counters();
    assert.equal(c[`token:${MTP}`]?.[fabrikam.id], 1);
    assert.equal(c["token.v2"]?.[fabrikam.id], 1);
    assert.equal(c["openid-configuration"]?.[fabrikam.id], 1);
  });

  test("certificate grant (x5t#S256, PS256) works, and the cached assertion is reused for a second resource", async () => {
    const northwind = customer("Northwind Traders");
    const cca = msal({ certificate: true });
    const mtp = await appToken(cca, northwind.id, MTP);
    const claims = decodeJwt(mtp.accessToken);
    assert.equal(claims.appidacr, "2");
    assert.equal(claims.tid, northwind.id);
    // msal-node reuses its signed assertion for the same tenant: the simulator must accept it.
    const wdatp = await appToken(cca, northwind.id, WDATP);
    assert.deepEqual(decodeJwt(wdatp.accessToken).roles, ["Alert.Read.All"]);
    const graph = await appToken(cca, northwind.id, GRAPH);
    assert.deepEqual(decodeJwt(graph.accessToken).roles, ["SecurityAlert.Read.All", "SecurityIncident.Read.All"]);
  });

  test("partner tenant: the app's own service principal gets a token with only the cross-tenant look-up (live credential check)", async () => {
    const graph = decodeJwt((await appToken(msal(), sim.directory.partner.id, GRAPH)).accessToken);
    assert.equal(graph.tid, sim.directory.partner.id);
    assert.deepEqual(graph.roles, ["CrossTenantInformation.ReadBasic.All"]);
    // No Defender role in the partner's own tenant.
    const mtp = decodeJwt((await appToken(msal(), sim.directory.partner.id, MTP)).accessToken);
    assert.equal("roles" in mtp, false);
  });

  test("findTenantInformationByTenantId answers with the partner's token, 403 without the permission, 404 for an unknown tenant", async () => {
    const token = (await appToken(msal(), sim.directory.partner.id, GRAPH)).accessToken;
    const looked = await newTenant("Lookup Corp");
    const get = (id: string, bearer = token) =>
      fetch(`${sim.url}/graph.microsoft.com/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='${id}')`, {
        headers: { authorization: `Bearer ${bearer}` },
      });
    const ok = await get(looked.id);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as Record<string, unknown>;
    assert.equal(body.tenantId, looked.id);
    assert.equal(body.displayName, "Lookup Corp");
    assert.equal(body.defaultDomainName, looked.domain);
    assert.equal((await get("00000000-0000-4000-8000-000000000000")).status, 404);
    // A customer tenant's token holds no such role: Graph refuses it.
    assert.equal((await control("POST", `/_sim/tenants/${looked.id}/consent`, {})).ok, true);
    const customerToken = (await appToken(msal(), looked.id, GRAPH)).accessToken;
    assert.equal((await get(looked.id, customerToken)).status, 403);
  });

  test("bad secret -> invalid_client AADSTS7000215", async () => {
    const err = await msalError(appToken(msal({ secret: "wrong" }), customer("Fabrikam").id, MTP));
    assert.equal(err.errorCode, "invalid_client");
    assert.equal(String(err.errorNo), "7000215");
    assert.match(err.errorMessage, /AADSTS7000215/);
  });

  test("tenant without consent -> unauthorized_client AADSTS700016", async () => {
    const err = await msalError(appToken(msal(), customer("Tailspin Toys").id, MTP));
    assert.equal(err.errorCode, "unauthorized_client");
    assert.equal(String(err.errorNo), "700016");
  });

  test("unknown tenant -> AADSTS90002 (discovery and token endpoint)", async () => {
    const unknown = "00000000-1111-4222-8333-444444444444";
    // Without metadata msal fails at discovery, which Entra answers with invalid_tenant.
    const disco = await get(`/${unknown}/v2.0/.well-known/openid-configuration`);
    assert.equal(disco.status, 400);
    const body = (await disco.json()) as { error: string; error_codes: number[] };
    assert.equal(body.error, "invalid_tenant");
    assert.deepEqual(body.error_codes, [90002]);
    assert.equal((await msalError(appToken(msal(), unknown, MTP))).errorCode, "endpoints_resolution_error");
    // With metadata supplied, the token POST itself reports 90002.
    const metadata = JSON.stringify({
      token_endpoint: `${sim.url}/${unknown}/oauth2/v2.0/token`,
      authorization_endpoint: `${sim.url}/${unknown}/oauth2/v2.0/authorize`,
      issuer: `${sim.url}/${unknown}/v2.0`,
      jwks_uri: `${sim.url}/${unknown}/discovery/v2.0/keys`,
      end_session_endpoint: `${sim.url}/${unknown}/oauth2/v2.0/logout`,
    });
    const cca = msal({ authorityTenant: unknown, authorityMetadata: metadata });
    const err = await msalError(cca.acquireTokenByClientCredential({ scopes: [`${MTP}/.default`] }));
    assert.equal(err.errorCode, "invalid_request");
    assert.equal(String(err.errorNo), "90002");
  });

  test("no Defender licence: Defender resources -> invalid_resource AADSTS500011, Graph works", async () => {
    const litware = customer("Litware");
    assert.equal(litware.defenderLicence, false);
    assert.equal((await control("POST", `/_sim/tenants/${litware.id}/consent`)).status, 200);
    const cca = msal();
    for (const resource of [MTP, WDATP]) {
      const err = await msalError(appToken(cca, litware.id, resource));
      assert.equal(err.errorCode, "invalid_resource");
      assert.equal(String(err.errorNo), "500011");
    }
    const graph = await appToken(cca, litware.id, GRAPH);
    assert.deepEqual(decodeJwt(graph.accessToken).roles, ["SecurityAlert.Read.All", "SecurityIncident.Read.All"]);
    // Defender roles are recorded even though the resource SPs are absent.
    assert.deepEqual(customer("Litware").grantedRoles[MTP], ["Incident.Read.All"]);
  });

  test("revoking consent via the control API -> AADSTS700016", async () => {
    const t = await newTenant("Revoke Test Ltd");
    await control("POST", `/_sim/tenants/${t.id}/consent`, { roles: { [MTP]: ["Incident.Read.All", "Incident.ReadWrite.All"] } });
    const cca = msal();
    assert.deepEqual(decodeJwt((await appToken(cca, t.id, MTP)).accessToken).roles, ["Incident.Read.All", "Incident.ReadWrite.All"]);
    const put = await control("PUT", `/_sim/tenants/${t.id}/roles`, { resource: MTP, roles: ["Incident.ReadWrite.All"] });
    assert.equal(put.status, 200);
    assert.deepEqual(decodeJwt((await appToken(cca, t.id, MTP, true)).accessToken).roles, ["Incident.ReadWrite.All"]);
    assert.equal((await control("DELETE", `/_sim/tenants/${t.id}/consent`)).status, 200);
    const err = await msalError(appToken(cca, t.id, MTP, true));
    assert.equal(String(err.errorNo), "700016");
  });
});

// ---------------------------------------------------------------------------------------------
// raw token endpoint
// ---------------------------------------------------------------------------------------------

describe("token endpoint (fetch)", () => {
  const post = (p: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${sim.url}${p}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    });

  test("v1 endpoint: resource=, numbers as strings, aud as requested (WDATP alias)", async () => {
    const fabrikam = customer("Fabrikam");
    const alias = "https://securitycenter.onmicrosoft.com/windowsatpservice";
    const res = await post(`/${fabrikam.domain}/oauth2/token`, {
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: SECRET,
      resource: alias,
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ["access_token", "expires_in", "expires_on", "ext_expires_in", "not_before", "resource", "token_type"]);
    for (const k of ["expires_in", "ext_expires_in", "expires_on", "not_before"]) assert.equal(typeof body[k], "string", k);
    assert.equal(body.expires_in, "3599");
    assert.equal(body.resource, alias);
    const claims = sim.verifyAccessToken(body.access_token as string);
    assert.equal(claims.aud, alias);
    assert.deepEqual(claims.roles, ["Alert.Read.All"]);
  });

  test("error bodies follow the documented shape", async () => {
    const fabrikam = customer("Fabrikam");
    const res = await post(
      `/${fabrikam.id}/oauth2/v2.0/token`,
      { grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: SECRET, scope: `${MTP}/Incident.Read.All` },
      { "client-request-id": "11111111-2222-4333-8444-555555555555" },
    );
    assert.equal(res.status, 400);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.error, "invalid_scope");
    assert.deepEqual(body.error_codes, [70011]);
    assert.equal(body.correlation_id, "11111111-2222-4333-8444-555555555555");
    assert.match(
      body.error_description as string,
      /^AADSTS70011: .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: 11111111-2222-4333-8444-555555555555\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s,
    );
    assert.equal(body.error_uri, `${sim.url}/error?code=70011`);
    assert.match(body.timestamp as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);

    const basicBad = await post(
      `/${fabrikam.id}/oauth2/v2.0/token`,
      { grant_type: "client_credentials", scope: `${MTP}/.default` },
      { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:nope`).toString("base64")}` },
    );
    assert.equal(basicBad.status, 401);
    assert.equal(((await basicBad.json()) as { error: string }).error, "invalid_client");
  });

  test("client assertion: wrong audience, unknown key and a tampered signature are rejected", async () => {
    const fabrikam = customer("Fabrikam");
    const now = Math.floor(Date.now() / 1000);
    const make = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) => {
      const h = Buffer.from(
        JSON.stringify({ alg: "RS256", typ: "JWT", "x5t#S256": Buffer.from(cert.thumbprintSha256Hex, "hex").toString("base64url"), ...header }),
      ).toString("base64url");
      const p = Buffer.from(
        JSON.stringify({ iss: CLIENT_ID, sub: CLIENT_ID, jti: randomBytes(8).toString("hex"), nbf: now, exp: now + 600, ...payload }),
      ).toString("base64url");
      return `${h}.${p}`;
    };
    const sign = (input: string) => `${input}.${createSign("RSA-SHA256").update(input).sign(cert.privateKeyPem).toString("base64url")}`;
    const tokenUrl = `${sim.url}/${fabrikam.id}/oauth2/v2.0/token`;
    const attempt = (assertion: string) =>
      post(`/${fabrikam.id}/oauth2/v2.0/token`, {
        grant_type: "client_credentials",
        client_id: CLIENT_ID,
        scope: `${MTP}/.default`,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      });

    const good = sign(make({ aud: tokenUrl }));
    assert.equal((await attempt(good)).status, 200);
    // v1 form of the token endpoint as audience is accepted too.
    assert.equal((await attempt(sign(make({ aud: `${sim.url}/${fabrikam.id}/oauth2/token` })))).status, 200);
    const wrongAud = await attempt(sign(make({ aud: "https://login.microsoftonline.com/x/oauth2/v2.0/token" })));
    assert.equal(wrongAud.status, 401);
    const unknownKey = await attempt(sign(make({ aud: tokenUrl }, { "x5t#S256": "AAAA" })));
    assert.equal(unknownKey.status, 401);
    assert.deepEqual(((await unknownKey.json()) as { error_codes: number[] }).error_codes, [700027]);
    const tampered = good.slice(0, -4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
    assert.equal((await attempt(tampered)).status, 401);
    const expired = await attempt(sign(make({ aud: tokenUrl, exp: now - 10 })));
    assert.equal(expired.status, 401);
  });
});

// ---------------------------------------------------------------------------------------------
// admin consent
// ---------------------------------------------------------------------------------------------

describe("admin consent", () => {
  const v2Url = (tenant: string, params: Record<string, string>) =>
    `/${tenant}/v2.0/adminconsent?${new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: CONSENT_CB, ...params })}`;

  test("v2 approve: redirect params exactly as documented; SP holds exactly the requested roles", async () => {
    const t = await newTenant("Approve Corp");
    const scope = `${MTP}/.default ${GRAPH}/SecurityAlert.Read.All`;
    const page = await signInForConsent(v2Url(t.id, { scope, state: "st-123" }), `admin@${t.domain}`);
    assert.match(page, /Permissions requested/);
    assert.match(page, /Contoso MSSP Defender Portal/);
    assert.match(page, /Accept for your organization/);
    assert.match(page, /Read all incidents/);
    const loc = location(await submit(page, "Accept"));
    assert.equal(`${loc.origin}${loc.pathname}`, CONSENT_CB);
    assert.deepEqual([...loc.searchParams.keys()], ["admin_consent", "tenant", "scope", "state"]);
    assert.equal(loc.searchParams.get("admin_consent"), "True");
    assert.equal(loc.searchParams.get("tenant"), t.id);
    assert.equal(loc.searchParams.get("scope"), scope);
    assert.equal(loc.searchParams.get("state"), "st-123");

    const view = (await (await control("GET", "/_sim/directory")).json()) as { customers: TenantView[] };
    const after = view.customers.find((c) => c.id === t.id)!;
    assert.equal(after.consented, true);
    assert.deepEqual(after.grantedRoles, { [MTP]: ["Incident.Read.All"], [GRAPH]: ["SecurityAlert.Read.All"] });
    const token = await appToken(msal(), t.id, GRAPH);
    assert.deepEqual(decodeJwt(token.accessToken).roles, ["SecurityAlert.Read.All"]);
  });

  test("v2 via organizations: the admin's own tenant is returned", async () => {
    const t = await newTenant("Orgs Consent Inc");
    const page = await signInForConsent(v2Url("organizations", { scope: `${MTP}/.default`, state: "s" }), `admin@${t.domain}`);
    const loc = location(await submit(page, "Accept"));
    assert.equal(loc.searchParams.get("tenant"), t.id);
  });

  test("v2 cancel: access_denied + AADSTS65004, admin_consent=True, state, no tenant", async () => {
    const t = customer("Woodgrove Bank");
    const page = await signInForConsent(v2Url(t.domain, { scope: `${MTP}/.default`, state: "decline-1" }), `admin@${t.domain}`);
    const loc = location(await submit(page, "Cancel"));
    const q = loc.searchParams;
    assert.equal(q.get("error"), "access_denied");
    assert.match(
      q.get("error_description")!,
      /^AADSTS65004: User declined to consent to access the app\.\r\nTrace ID: .+\r\nCorrelation ID: .+\r\nTimestamp: .+Z$/,
    );
    assert.equal(q.get("error_uri"), `${sim.url}/error?code=65004`);
    assert.equal(q.get("admin_consent"), "True");
    assert.equal(q.get("state"), "decline-1");
    assert.equal(q.has("tenant"), false);
    assert.equal(customer("Woodgrove Bank").consented, false);
  });

  test("non-admin: Need admin approval -> access_denied with AADSTS90094, no tenant", async () => {
    const t = customer("Adventure Works");
    const page = await signInForConsent(v2Url(t.id, { scope: `${MTP}/.default`, state: "na" }), `user@${t.domain}`);
    assert.match(page, /Need admin approval/);
    assert.doesNotMatch(page, />Accept</);
    const loc = location(await submit(page, "Return to the application without granting consent"));
    assert.equal(loc.searchParams.get("error"), "access_denied");
    assert.match(loc.searchParams.get("error_description")!, /^AADSTS90094: /);
    assert.equal(loc.searchParams.get("state"), "na");
    assert.equal(loc.searchParams.has("tenant"), false);
    assert.equal(customer("Adventure Works").consented, false);
  });

  test("user from another directory than the tenant in the URL -> access_denied AADSTS50020", async () => {
    const t = customer("Adventure Works");
    const other = customer("Woodgrove Bank");
    // The other account sits under "Use an account from another organization".
    const picker = await (await get(v2Url(t.id, { scope: `${MTP}/.default`, state: "x" }))).text();
    const loc = location(await submit(picker, `Sign in as admin@${other.domain}`));
    assert.equal(loc.searchParams.get("error"), "access_denied");
    assert.match(loc.searchParams.get("error_description")!, /^AADSTS50020: /);
    assert.equal(loc.searchParams.get("state"), "x");
    assert.equal(loc.searchParams.has("tenant"), false);
  });

  test("unknown client_id and unregistered redirect_uri render an error page and never redirect", async () => {
    const t = customer("Tailspin Toys");
    const badClient = await get(
      `/${t.id}/v2.0/adminconsent?client_id=99999999-9999-4999-8999-999999999999&redirect_uri=${encodeURIComponent(CONSENT_CB)}&scope=x&state=s`,
    );
    assert.equal(badClient.headers.get("location"), null);
    assert.match(await badClient.text(), /AADSTS700016/);
    const badRedirect = await get(v2Url(t.id, { scope: `${MTP}/.default`, state: "s", redirect_uri: "https://evil.example/cb" }));
    assert.equal(badRedirect.headers.get("location"), null);
    const html = await badRedirect.text();
    assert.match(html, /AADSTS50011/);
    // Input is escaped, never interpolated raw.
    const xss = await get(v2Url(t.id, { scope: `${MTP}/.default`, redirect_uri: "https://x/<script>alert(1)</script>" }));
    assert.doesNotMatch(await xss.text(), /<script>alert/);
  });

  test("v1 /adminconsent: grants all configured permissions; cancel -> permission_denied", async () => {
    const t = await newTenant("V1 Consent GmbH");
    const url = `/${t.id}/adminconsent?${new URLSearchParams({ client_id: CLIENT_ID, state: "v1s", redirect_uri: CONSENT_CB })}`;
    const cancel = location(await submit(await signInForConsent(url, `admin@${t.domain}`), "Cancel"));
    assert.equal(cancel.searchParams.get("error"), "permission_denied");
    assert.equal(cancel.searchParams.get("error_description"), "The admin canceled the request");
    assert.equal(cancel.searchParams.get("state"), "v1s");
    const ok = location(await submit(await signInForConsent(url, `admin@${t.domain}`), "Accept"));
    assert.deepEqual([...ok.searchParams.keys()], ["tenant", "state", "admin_consent"]);
    assert.equal(ok.searchParams.get("tenant"), t.id);
    assert.equal(ok.searchParams.get("admin_consent"), "True");
    const granted = customer("V1 Consent GmbH").grantedRoles;
    assert.deepEqual(granted, { [MTP]: ["Incident.Read.All"], [WDATP]: ["Alert.Read.All"], [GRAPH]: ["SecurityAlert.Read.All", "SecurityIncident.Read.All"] });
  });

  test("legacy /common/oauth2/authorize?prompt=consent: a page shows the tenant name and ID", async () => {
    const t = await newTenant("Legacy Link Co");
    const url = `/common/oauth2/authorize?${new URLSearchParams({ prompt: "consent", client_id: CLIENT_ID, response_type: "code", sso_reload: "true" })}`;
    const res = await submit(await signInForConsent(url, `admin@${t.domain}`), "Accept");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Consent granted/);
    assert.ok(html.includes(t.id));
    assert.ok(html.includes("Legacy Link Co"));
    assert.match(html, /https:\/\/portal\.azure\.com/);
    assert.equal(customer("Legacy Link Co").consented, true);
    assert.equal((await counters())["legacy-consent"]?.["-"] !== undefined, true);
  });
});

// ---------------------------------------------------------------------------------------------
// OIDC sign-in
// ---------------------------------------------------------------------------------------------

describe("OIDC sign-in", () => {
  async function authorize(tenant: string, upn: string, extra: Record<string, string> = {}) {
    const verifier = generators.codeVerifier();
    const params = {
      client_id: CLIENT_ID,
      redirect_uri: AUTH_CB,
      response_type: "code",
      scope: "openid profile email offline_access",
      state: "st",
      nonce: "n-1",
      code_challenge: generators.codeChallenge(verifier),
      code_challenge_method: "S256",
      ...extra,
    };
    const picker = await get(`/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams(params)}`);
    assert.equal(picker.status, 200);
    const loc = location(await submit(await picker.text(), `Sign in as ${upn}`));
    return { loc, verifier, params };
  }

  const redeem = (tenant: string, code: string, verifier: string) =>
    fetch(`${sim.url}/${tenant}/oauth2/v2.0/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        // RFC 6749 §2.3.1: form-url-encode id and secret, then base64 (what openid-client does).
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(SECRET)}`).toString("base64")}`,
      },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: AUTH_CB, code_verifier: verifier }).toString(),
    });

  test("authorize + token with PKCE and basic auth; id_token verifies against the JWKS", async () => {
    const partner = sim.directory.partner;
    const { loc, verifier } = await authorize(partner.id, `analyst@${partner.domain}`);
    assert.equal(loc.searchParams.get("state"), "st");
    assert.ok(loc.searchParams.get("session_state"));
    const code = loc.searchParams.get("code")!;
    const res = await redeem(partner.id, code, verifier);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.token_type, "Bearer");
    assert.equal(typeof body.expires_in, "number");
    assert.ok(body.refresh_token);
    const jwks = createRemoteJWKSet(new URL(`${sim.url}/${partner.id}/discovery/v2.0/keys`));
    const { payload } = await jwtVerify(body.id_token as string, jwks, { issuer: `${sim.url}/${partner.id}/v2.0`, audience: CLIENT_ID });
    assert.equal(payload.tid, partner.id);
    assert.equal(payload.preferred_username, `analyst@${partner.domain}`);
    assert.equal(payload.name, "Ari Analyst");
    assert.equal(payload.email, `analyst@${partner.domain}`);
    assert.equal(payload.nonce, "n-1");
    assert.equal(payload.ver, "2.0");
    assert.deepEqual(payload.roles, ["Portal.Analyst", "Portal.Responder"]);
    assert.equal(payload.oid, partner.users.find((u) => u.upn === `analyst@${partner.domain}`)!.oid);

    // offline_access yields a refresh token that redeems once (rotation).
    const refresh = () =>
      fetch(`${sim.url}/${partner.id}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: body.refresh_token as string,
          client_id: CLIENT_ID,
          client_secret: SECRET,
        }).toString(),
      });
    const refreshed = await refresh();
    assert.equal(refreshed.status, 200);
    assert.equal(decodeJwt(((await refreshed.json()) as { id_token: string }).id_token).oid, payload.oid);
    assert.equal((await refresh()).status, 400);

    // Codes are single use.
    const replay = await redeem(partner.id, code, verifier);
    assert.equal(replay.status, 400);
    assert.deepEqual(((await replay.json()) as { error_codes: number[] }).error_codes, [54005]);
  });

  test("wrong code_verifier -> invalid_grant; a user without an app role gets no roles claim", async () => {
    const partner = sim.directory.partner;
    const first = await authorize(partner.id, `norole@${partner.domain}`);
    const bad = await redeem(partner.id, first.loc.searchParams.get("code")!, "x".repeat(43));
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, "invalid_grant");
    const second = await authorize(partner.id, `norole@${partner.domain}`);
    const ok = (await (await redeem(partner.id, second.loc.searchParams.get("code")!, second.verifier)).json()) as { id_token: string };
    assert.equal("roles" in decodeJwt(ok.id_token), false);
  });

  test("organizations: issuer is the {tenantid} template; openid-client completes the code flow", async () => {
    const disco = (await (await get("/organizations/v2.0/.well-known/openid-configuration?appid=" + CLIENT_ID)).json()) as Record<string, unknown>;
    assert.equal(disco.issuer, `${sim.url}/{tenantid}/v2.0`);
    assert.deepEqual(disco.token_endpoint_auth_methods_supported, ["client_secret_post", "private_key_jwt", "client_secret_basic"]);

    // openid-client 5 (next-auth 4) against the partner tenant's metadata, client_secret_basic by default.
    const partner = sim.directory.partner;
    const issuer = await Issuer.discover(`${sim.url}/${partner.id}/v2.0/.well-known/openid-configuration`);
    const client = new issuer.Client({ client_id: CLIENT_ID, client_secret: SECRET, redirect_uris: [AUTH_CB], response_types: ["code"] });
    const { loc, verifier, params } = await authorize(partner.id, `admin@${partner.domain}`);
    const tokenSet = await client.callback(AUTH_CB, client.callbackParams(loc.toString()), {
      code_verifier: verifier,
      state: params.state,
      nonce: params.nonce,
    });
    const claims = tokenSet.claims();
    assert.equal(claims.name, "Avery Admin");
    assert.deepEqual(claims.roles, ["Portal.Admin"]);

    // Through organizations, iss is the template with the user's tid.
    const viaOrgs = await authorize("organizations", `analyst2@${partner.domain}`);
    const tokens = (await (await redeem("organizations", viaOrgs.loc.searchParams.get("code")!, viaOrgs.verifier)).json()) as { id_token: string };
    assert.equal(decodeJwt(tokens.id_token).iss, (disco.issuer as string).replace("{tenantid}", partner.id));
  });

  test("authorize: unregistered redirect_uri -> AADSTS50011 page, no redirect", async () => {
    const res = await get(
      `/${sim.directory.partner.id}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: "http://localhost:3000/other", response_type: "code", scope: "openid" })}`,
    );
    assert.equal(res.headers.get("location"), null);
    assert.match(await res.text(), /AADSTS50011/);
  });

  test("prompt=none: login_required without an Entra session; after an interactive sign-in, a code with no page, carrying app roles as assigned now", async () => {
    const partner = sim.directory.partner;
    const upn = `analyst2@${partner.domain}`;
    const params = (extra: Record<string, string> = {}) =>
      new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: AUTH_CB,
        response_type: "code",
        scope: "openid profile email",
        state: "st",
        nonce: "n",
        ...extra,
      });
    const silent = location(await get(`/${partner.id}/oauth2/v2.0/authorize?${params({ prompt: "none" })}`));
    assert.equal(silent.searchParams.get("error"), "login_required");
    assert.match(silent.searchParams.get("error_description") ?? "", /AADSTS50058/);

    // Interactive sign-in: Entra's session cookie comes back with the code.
    const picker = await get(`/${partner.id}/oauth2/v2.0/authorize?${params()}`);
    const signedIn = await submit(await picker.text(), `Sign in as ${upn}`);
    const setCookie = signedIn.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /^ESTSAUTH=[^;]+;.*HttpOnly; Secure; SameSite=None/);
    const cookie = setCookie.split(";")[0]!;

    // Removed from the app role in Entra, then a silent request: a code at once, and the id token says no role.
    assert.equal((await control("PUT", `/_sim/users/${encodeURIComponent(upn)}/app-roles`, { roles: [] })).status, 200);
    try {
      const res = await fetch(`${sim.url}/${partner.id}/oauth2/v2.0/authorize?${params({ prompt: "none" })}`, { redirect: "manual", headers: { cookie } });
      const loc = location(res);
      assert.equal(loc.origin + loc.pathname, AUTH_CB);
      const code = loc.searchParams.get("code");
      assert.ok(code);
      const tokens = (await (
        await fetch(`${sim.url}/${partner.id}/oauth2/v2.0/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: AUTH_CB, client_id: CLIENT_ID, client_secret: SECRET }).toString(),
        })
      ).json()) as { id_token: string };
      assert.equal(decodeJwt(tokens.id_token).preferred_username, upn);
      assert.equal("roles" in decodeJwt(tokens.id_token), false);
    } finally {
      await control("PUT", `/_sim/users/${encodeURIComponent(upn)}/app-roles`, { roles: ["Portal.Analyst"] });
    }
    // Unknown roles and customer users are refused by the control API.
    assert.equal((await control("PUT", `/_sim/users/${encodeURIComponent(upn)}/app-roles`, { roles: ["Portal.Owner"] })).status, 400);
    assert.equal((await control("PUT", `/_sim/users/nobody@nowhere.example/app-roles`, { roles: [] })).status, 404);
  });
});

// ---------------------------------------------------------------------------------------------
// discovery, counters, persistence
// ---------------------------------------------------------------------------------------------

describe("discovery and control", () => {
  test("instance discovery, v1 metadata and JWKS shape", async () => {
    const inst = (await (
      await get(
        `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${sim.url}/${sim.directory.partner.id}/oauth2/v2.0/authorize`)}`,
      )
    ).json()) as Record<string, unknown>;
    assert.equal(inst.tenant_discovery_endpoint, `${sim.url}/${sim.directory.partner.id}/v2.0/.well-known/openid-configuration`);
    const v1 = (await (await get(`/${customer("Fabrikam").domain}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(v1.issuer, `https://sts.windows.net/${customer("Fabrikam").id}/`);
    for (const p of ["/common/discovery/keys", `/${customer("Fabrikam").id}/discovery/keys`]) {
      const keys = (await (await get(p)).json()) as { keys: Record<string, unknown>[] };
      assert.deepEqual(Object.keys(keys.keys[0]!).sort(), ["e", "kid", "kty", "n", "use", "x5c", "x5t"]);
    }
  });

  test("the directory is deterministic from the seed", () => {
    const d = sim.directory;
    assert.equal(d.partner.domain, "contosomssp.onmicrosoft.com");
    assert.equal(d.partner.users.find((u) => u.upn === "admin@contosomssp.onmicrosoft.com")?.name, "Avery Admin");
    assert.ok(d.customers.length >= 6);
    assert.equal(customer("Litware").defenderLicence, false);
    assert.ok(customer("Fabrikam").consented && customer("Northwind Traders").consented);
    const again = new Directory({ seed: "test", clientId: CLIENT_ID, preconsentedCustomers: 0, log: () => {} }).view();
    assert.deepEqual(
      again.customers.map((c) => [c.id, c.users.map((u) => [u.upn, u.name, u.oid])]),
      d.customers.slice(0, again.customers.length).map((c) => [c.id, c.users.map((u) => [u.upn, u.name, u.oid])]),
    );
    assert.equal(again.partner.id, d.partner.id);
    const other = new Directory({ seed: "other", clientId: CLIENT_ID, preconsentedCustomers: 0, log: () => {} }).view();
    assert.notEqual(other.partner.id, d.partner.id);
  });

  test("state file: consents, created tenants and the signing key survive a restart", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sim-state-"));
    const stateFile = path.join(dir, "state.json");
    const options = {
      port: 0,
      certDir: CERT_DIR,
      seed: "persist",
      stateFile,
      app: { clientId: CLIENT_ID, displayName: "P", clientSecrets: [SECRET], certificates: [], redirectUris: [CONSENT_CB] },
    };
    try {
      const first = await startSimulator(options);
      const created = (await (
        await fetch(`${first.url}/_sim/tenants`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ displayName: "Persisted Ltd" }),
        })
      ).json()) as TenantView;
      await fetch(`${first.url}/_sim/tenants/${created.id}/consent`, { method: "POST" });
      const token = (await (
        await fetch(`${first.url}/${created.id}/oauth2/v2.0/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: SECRET, scope: `${GRAPH}/.default` }).toString(),
        })
      ).json()) as { access_token: string };
      await first.close();
      const second = await startSimulator(options);
      try {
        const again = second.directory.customers.find((c) => c.id === created.id);
        assert.ok(again?.consented);
        assert.equal(second.verifyAccessToken(token.access_token).tid, created.id);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
