// User context at the simulator: B2B guests of customer tenants sign in at the customer's authority (authorization code
// + PKCE, through msal-node as the portal does), get delegated tokens (`scp`, the guest's `oid`, the customer's `tid`),
// refresh them for another API, and are limited by their own Defender role; Microsoft records the user as the actor.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";

const CLIENT_ID = "7c4e2f1a-3b5d-4e6f-8a9b-0c1d2e3f4a5b";
const SECRET = "user-context-test-secret";
const CB = "http://localhost:3000/connect/callback";
const MTP = "https://api.security.microsoft.com";
const WDATP = "https://api.securitycenter.microsoft.com";
const XDR_SCOPES = [`${MTP}/Incident.ReadWrite`];
const MDE_SCOPES = [`${WDATP}/Machine.Isolate`, `${WDATP}/Machine.Read`];
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sim: SimulatorHandle;
let fabrikam: string;
let northwind: string;
let partnerDomain: string;

before(async () => {
  if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error("Run with NODE_EXTRA_CA_CERTS=.data/certs/ca.pem");
  sim = await startSimulator({
    port: 0,
    certDir: ".data/certs",
    seed: "user-context-test",
    app: { clientId: CLIENT_ID, displayName: "Contoso MSSP Defender Portal", clientSecrets: [SECRET], certificates: [], redirectUris: [CB] },
    preconsentedCustomers: 2,
  });
  fabrikam = sim.directory.customers.find((c) => c.displayName === "Fabrikam")!.id;
  northwind = sim.directory.customers.find((c) => c.displayName === "Northwind Traders")!.id;
  partnerDomain = sim.directory.partner.domain;
});
after(async () => sim?.close());

async function control(method: string, p: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${sim.url}${p}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

const consentDelegated = async (tid: string) => {
  assert.equal((await control("PUT", `/_sim/tenants/${tid}/scopes`, { resource: MTP, scopes: ["Incident.ReadWrite"] })).status, 200);
  assert.equal((await control("PUT", `/_sim/tenants/${tid}/scopes`, { resource: WDATP, scopes: ["Machine.Isolate", "Machine.Read"] })).status, 200);
};

function app(tenantId: string) {
  return new ConfidentialClientApplication({
    auth: { clientId: CLIENT_ID, authority: `${sim.url}/${tenantId}`, knownAuthorities: [`localhost:${sim.port}`], clientSecret: SECRET },
  });
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** Submits the form whose button is `label` on `page`. */
async function submitForm(page: string, label: string): Promise<Response> {
  for (const m of page.matchAll(/<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const button = /<button[^>]*>([\s\S]*?)<\/button>/.exec(m[2]!);
    if (!button || unescapeHtml(button[1]!) !== label) continue;
    const fields: Record<string, string> = {};
    for (const i of m[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeHtml(i[1]!)] = unescapeHtml(i[2]!);
    return fetch(new URL(unescapeHtml(m[1]!), sim.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }
  throw new Error(`no form '${label}'`);
}

/** Opens the authorize URL and picks `upn`, as a browser would; returns where Entra sends the browser back. */
async function pick(url: string, upn: string): Promise<URL> {
  const page = await (await fetch(url, { redirect: "manual" })).text();
  for (const m of page.matchAll(/<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const button = /<button[^>]*>([\s\S]*?)<\/button>/.exec(m[2]!);
    if (!button || unescapeHtml(button[1]!) !== `Sign in as ${upn}`) continue;
    const fields: Record<string, string> = {};
    for (const i of m[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeHtml(i[1]!)] = unescapeHtml(i[2]!);
    const res = await fetch(new URL(unescapeHtml(m[1]!), sim.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    assert.equal(res.status, 302);
    return new URL(res.headers.get("location")!);
  }
  throw new Error(`no account ${upn} on the sign-in page`);
}

/** The portal's connect flow: PKCE authorize at the customer's authority, then the code redeemed for XDR scopes. */
async function connect(tenantId: string, upn: string) {
  const cca = app(tenantId);
  const pkce = await new CryptoProvider().generatePkceCodes();
  const url = await cca.getAuthCodeUrl({
    scopes: [...XDR_SCOPES, ...MDE_SCOPES],
    redirectUri: CB,
    codeChallenge: pkce.challenge,
    codeChallengeMethod: "S256",
    state: "st-1",
    prompt: "select_account",
  });
  const back = await pick(url, upn);
  return { cca, back, verifier: pkce.verifier };
}

async function xdr(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${sim.url}/api.security.microsoft.com${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

describe("user context", () => {
  before(async () => {
    await consentDelegated(fabrikam);
  });

  test("seeded guests: the partner's admin and analyst in Fabrikam and Northwind, analyst2 in Fabrikam with View data only", async () => {
    const guests = (await control("GET", `/_sim/tenants/${fabrikam}/guests`)).json as Json[];
    const byUpn = Object.fromEntries(guests.map((g) => [g.upn, g.defenderRoles]));
    assert.deepEqual(byUpn[`analyst2@${partnerDomain}`], ["View data"]);
    assert.ok(byUpn[`analyst@${partnerDomain}`].includes("Alerts investigation"));
    assert.ok(((await control("GET", `/_sim/tenants/${northwind}/guests`)).json as Json[]).some((g) => g.upn === `analyst@${partnerDomain}`));
  });

  test("a guest connects with PKCE: delegated XDR token (scp, guest oid, customer tid), refreshed silently for MDE", async () => {
    const { cca, back, verifier } = await connect(fabrikam, `analyst@${partnerDomain}`);
    assert.equal(back.searchParams.get("state"), "st-1");
    const code = back.searchParams.get("code");
    assert.ok(code, back.toString());
    const result = await cca.acquireTokenByCode({ code, scopes: XDR_SCOPES, redirectUri: CB, codeVerifier: verifier });
    const claims = decodeJwt(result.accessToken);
    assert.equal(claims.aud, MTP);
    assert.equal(claims.tid, fabrikam);
    assert.equal(claims.scp, "Incident.ReadWrite");
    assert.equal(claims.upn, `analyst@${partnerDomain}`);
    assert.equal(claims.roles, undefined);
    const guest = ((await control("GET", `/_sim/tenants/${fabrikam}/guests`)).json as Json[]).find((g) => g.upn === `analyst@${partnerDomain}`)!;
    assert.equal(claims.oid, guest.oid);
    assert.equal(claims.idp, `https://sts.windows.net/${sim.directory.partner.id}/`);

    // Incident update in user context: Microsoft records the analyst, not the app.
    const list = await xdr("GET", "/api/incidents?$top=1", result.accessToken);
    assert.equal(list.status, 200);
    const id = list.json.value[0].incidentId as number;
    const patched = await xdr("PATCH", `/api/incidents/${id}`, result.accessToken, { status: "InProgress", comment: "looking at it" });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.comments.at(-1).createdBy, `analyst@${partnerDomain}`);
    const changes = (await control("GET", `/_sim/tenants/${fabrikam}/defender/changes`)).json as Json[];
    assert.deepEqual(changes.at(-1)!.actor, { type: "user", name: `analyst@${partnerDomain}`, oid: guest.oid });

    // The same account, another API: MSAL redeems the refresh token for MDE's delegated scopes.
    const account = (await cca.getTokenCache().getAllAccounts())[0]!;
    const mde = await cca.acquireTokenSilent({ account, scopes: MDE_SCOPES });
    const mdeClaims = decodeJwt(mde.accessToken);
    assert.equal(mdeClaims.aud, WDATP);
    assert.deepEqual(String(mdeClaims.scp).split(" ").sort(), ["Machine.Isolate", "Machine.Read"]);

    // Machine action in user context: the requestor is the UPN.
    const machines = (await control("GET", `/_sim/tenants/${fabrikam}/defender/machines`)).json.machines as Json[];
    const iso = await xdr("POST", `/api/machines/${machines[0]!.id}/isolate`, mde.accessToken, { Comment: "contain", IsolationType: "Full" });
    assert.equal(iso.status, 201, JSON.stringify(iso.json));
    assert.equal(iso.json.requestor, `analyst@${partnerDomain}`);
  });

  test("a guest without the Defender role permission gets 403 and nothing changes", async () => {
    const { cca, back, verifier } = await connect(fabrikam, `analyst2@${partnerDomain}`);
    const result = await cca.acquireTokenByCode({ code: back.searchParams.get("code")!, scopes: XDR_SCOPES, redirectUri: CB, codeVerifier: verifier });
    const list = await xdr("GET", "/api/incidents?$top=1", result.accessToken);
    assert.equal(list.status, 200);
    const before = list.json.value[0];
    const refused = await xdr("PATCH", `/api/incidents/${before.incidentId}`, result.accessToken, { status: "Resolved", comment: "nope" });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, "Forbidden");
    assert.match(refused.json.error.message, /Alerts investigation/);
    const after = await xdr("GET", `/api/incidents/${before.incidentId}`, result.accessToken);
    assert.equal(after.json.status, before.status);
    assert.equal(after.json.comments.length, before.comments.length);
  });

  test("a user who is not a guest gets AADSTS50020; missing delegated consent is AADSTS65001", async () => {
    const notGuest = await connect(northwind, `analyst2@${partnerDomain}`);
    assert.equal(notGuest.back.searchParams.get("error"), "access_denied");
    assert.match(
      notGuest.back.searchParams.get("error_description")!,
      /^AADSTS50020: User account 'analyst2@.*' from identity provider .* does not exist in tenant 'Northwind Traders'/,
    );

    // Northwind's admin consented to the app's application permissions only.
    const noConsent = await connect(northwind, `analyst@${partnerDomain}`);
    assert.equal(noConsent.back.searchParams.get("error"), "consent_required");
    assert.match(
      noConsent.back.searchParams.get("error_description")!,
      /^AADSTS65001: The user or administrator has not consented to use the application with ID/,
    );
  });

  test("admin consent with delegated permissions in `scope` grants them for all users; the consent page lists them", async () => {
    const t = sim.directory.customers.find((c) => c.displayName === "Tailspin Toys")!;
    const scope = `${MTP}/Incident.ReadWrite ${WDATP}/Machine.Read ${WDATP}/Machine.Isolate`;
    const url = `${sim.url}/${t.id}/v2.0/adminconsent?${new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: CB, scope, state: "c-1" })}`;
    const picker = await (await fetch(url, { redirect: "manual" })).text();
    const consentPage = await (await submitForm(picker, `Sign in as admin@${t.domain}`)).text();
    assert.match(consentPage, /Read and write incidents \(on behalf of signed-in users\)/);
    const done = await submitForm(consentPage, "Accept");
    assert.equal(done.status, 302);
    assert.equal(new URL(done.headers.get("location")!).searchParams.get("admin_consent"), "True");
    const view = (await control("GET", "/_sim/directory")).json.customers.find((c: Json) => c.id === t.id);
    assert.deepEqual(view.grantedScopes[MTP], ["Incident.ReadWrite"]);
    assert.deepEqual(view.grantedScopes[WDATP], ["Machine.Isolate", "Machine.Read"]);
    // Machine.Isolate is an application permission too: both are granted.
    assert.ok(view.grantedRoles[WDATP].includes("Machine.Isolate"));
  });

  test("a guest removed from the tenant can no longer refresh (AADSTS50020), and a new Defender role takes effect", async () => {
    const upn = `admin@${partnerDomain}`;
    const { cca, back, verifier } = await connect(fabrikam, upn);
    await cca.acquireTokenByCode({ code: back.searchParams.get("code")!, scopes: XDR_SCOPES, redirectUri: CB, codeVerifier: verifier });
    assert.equal((await control("DELETE", `/_sim/tenants/${fabrikam}/guests/${encodeURIComponent(upn)}`)).status, 200);
    const account = (await cca.getTokenCache().getAllAccounts())[0]!;
    await assert.rejects(cca.acquireTokenSilent({ account, scopes: XDR_SCOPES, forceRefresh: true }), (err: Json) => {
      assert.match(String(err.errorMessage ?? err.message), /AADSTS50020/);
      return true;
    });
    const invited = await control("PUT", `/_sim/tenants/${fabrikam}/guests/${encodeURIComponent(upn)}`, {
      defenderRoles: ["View data", "Alerts investigation"],
    });
    assert.equal(invited.status, 200);
    assert.deepEqual(invited.json.defenderRoles, ["View data", "Alerts investigation"]);
  });
});
