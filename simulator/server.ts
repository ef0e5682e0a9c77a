// startSimulator: an HTTPS server on localhost that emulates login.microsoftonline.com for the
// partner's multi-tenant app, plus a /_sim/ control API. Route modules plug into one router;
// Defender data APIs can be added later as further modules (see `modules` option).
import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { certificateThumbprints, ensureCertificates } from "./certs.ts";
import { GrantStore, InteractionStore, type AppRegistration, type SimulatorContext, type SimulatorModule } from "./context.ts";
import { controlModule } from "./control.ts";
import { createDefenderSimulation, type DefenderOptions } from "./defender/index.ts";
import { DEFAULT_REQUIRED_PERMISSIONS, Directory, type DirectoryView } from "./directory.ts";
import { authorizeModule } from "./entra/authorize.ts";
import { consentModule } from "./entra/consent.ts";
import { oidcModule } from "./entra/oidc.ts";
import { signInModule } from "./entra/signin.ts";
import { tokenEndpointModule } from "./entra/token-endpoint.ts";
import { tenantInformationModule } from "./graph/tenant-information.ts";
import { dispatch, RequestCounters, Router } from "./http.ts";
import { loadOrCreateSigningKey, TokenService, type AccessTokenClaims, type VerifyAccessTokenOptions } from "./tokens.ts";

export type { DirectoryView } from "./directory.ts";
export type { SimulatorContext, SimulatorModule } from "./context.ts";
export type { AccessTokenClaims, VerifyAccessTokenOptions } from "./tokens.ts";

export interface SimulatorOptions {
  port: number; // 0 = random free port
  certDir: string; // passed to ensureCertificates
  seed?: string; // default "demo"; every GUID/name derives deterministically from it
  stateFile?: string; // mutable state (consents, created tenants, granted roles), loaded at start, written on change
  app: {
    clientId: string;
    displayName: string;
    clientSecrets: string[];
    certificates: string[]; // PEM public certificates registered for client_assertion
    redirectUris: string[]; // exact-match list
  };
  preconsentedCustomers?: number; // seeded customer tenants that start consented (demo: 2; default 0)
  log?: (line: string) => void; // never receives secrets, assertions or tokens
  /** Extra route modules mounted after the Entra endpoints. */
  modules?: SimulatorModule[];
  /** Defender data APIs (XDR, MDE, Graph security, SIEM), mounted by default; `false` leaves them out. */
  defender?: DefenderOptions | false;
}

export interface SimulatorHandle {
  url: string;
  port: number;
  /** Read-only snapshot, taken at each access. */
  directory: DirectoryView;
  /** Verifies an access token issued by this instance (signature, lifetime, issuer, optional audience). */
  verifyAccessToken(token: string, opts?: VerifyAccessTokenOptions): AccessTokenClaims;
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions): Promise<SimulatorHandle> {
  const log = opts.log ?? (() => {});
  const paths = ensureCertificates(opts.certDir);
  const signingKey = loadOrCreateSigningKey(opts.stateFile ? `${opts.stateFile}.signing-key.json` : undefined);
  const tokens = new TokenService(signingKey);

  const directory = new Directory({
    seed: opts.seed ?? "demo",
    clientId: opts.app.clientId.toLowerCase(),
    requiredPermissions: DEFAULT_REQUIRED_PERMISSIONS,
    preconsentedCustomers: opts.preconsentedCustomers ?? 0,
    ...(opts.stateFile ? { stateFile: opts.stateFile } : {}),
    log,
  });

  const app: AppRegistration = {
    clientId: opts.app.clientId.toLowerCase(),
    displayName: opts.app.displayName,
    publisher: directory.partner.displayName,
    clientSecrets: [...opts.app.clientSecrets],
    certificates: opts.app.certificates.map((pem) => {
      const t = certificateThumbprints(pem);
      return { pem, x5tS256: t.x5tS256, x5t: t.x5t };
    }),
    redirectUris: [...opts.app.redirectUris],
    requiredPermissions: DEFAULT_REQUIRED_PERMISSIONS,
  };

  let baseUrl = "";
  // Request headers object -> response, so a fault can close a socket instead of answering (ctx.rawResponse).
  const responses = new WeakMap<IncomingHttpHeaders, ServerResponse>();
  const ctx: SimulatorContext = {
    get baseUrl() {
      return baseUrl;
    },
    app,
    directory,
    tokens,
    counters: new RequestCounters(),
    interactions: new InteractionStore(),
    grants: new GrantStore(),
    log,
    verifyAccessToken: (token, o) => tokens.verifyAccessToken(token, o),
    rawResponse: (req) => responses.get(req.headers),
  };

  const defender = opts.defender === false ? undefined : createDefenderSimulation(ctx, opts.defender ?? {});
  // The token endpoint answers 503 for a tenant whose `tokenEndpointDown` fault is set.
  const gatedTokenEndpoint: SimulatorModule = (c) =>
    tokenEndpointModule(c).map((r) => ({ ...r, handler: (req) => defender?.service.tokenGate(req) ?? r.handler(req) }));

  const router = new Router();
  // Control routes first: their literal /_sim prefix must win over `/:tenant/...` patterns.
  for (const simModule of [
    controlModule,
    oidcModule,
    authorizeModule,
    consentModule,
    signInModule,
    gatedTokenEndpoint,
    tenantInformationModule,
    ...(opts.modules ?? []),
  ]) {
    router.add(...simModule(ctx));
  }
  if (defender) router.add(...defender.controlRoutes, ...defender.apiRoutes);

  const tls = { cert: readFileSync(paths.certPath), key: readFileSync(paths.keyPath) };
  const makeServer = (): Server =>
    createServer(tls, (req, res) => {
      responses.set(req.headers, res);
      void dispatch(router, req, res, baseUrl, log);
    });
  const listen = (server: Server, port: number, host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  // Loopback only. "localhost" may resolve to ::1 or 127.0.0.1 depending on the client, so listen
  // on both (IPv6 is optional: skipped when the host has no ::1).
  const server = makeServer();
  await listen(server, opts.port, "127.0.0.1");
  const servers: Server[] = [server];
  const server6 = makeServer();
  try {
    await listen(server6, (server.address() as AddressInfo).port, "::1");
    servers.push(server6);
  } catch {
    log("IPv6 loopback unavailable; listening on 127.0.0.1 only");
  }
  const port = (server.address() as AddressInfo).port;
  baseUrl = `https://localhost:${port}`;
  log(`Entra simulator listening on ${baseUrl} (seed '${directory.seed}', partner tenant ${directory.partner.id})`);

  return {
    url: baseUrl,
    port,
    get directory() {
      return directory.view();
    },
    verifyAccessToken: (token, o) => tokens.verifyAccessToken(token, o),
    close: async () => {
      defender?.dispose();
      await Promise.all(
        servers.map(
          (srv) =>
            new Promise<void>((resolve, reject) => {
              srv.close((err) => (err ? reject(err) : resolve()));
              srv.closeAllConnections();
            }),
        ),
      );
    },
  };
}
