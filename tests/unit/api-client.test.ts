import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, test } from "node:test";
import { MicrosoftApiClient, MicrosoftApiError } from "../../lib/microsoft/api-client.ts";
import type { TenantTokenClient } from "../../lib/microsoft/token-client.ts";

/** Retry rules against a scripted local server: GETs are retried on 5xx; a PATCH (not idempotent) is not. */
let server: Server;
let base: string;
const calls: string[] = [];
let script: number[] = [];

before(async () => {
  server = createServer((req, res) => {
    calls.push(req.method!);
    const status = script.shift() ?? 200;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(status === 200 ? '{"ok":true}' : '{"error":{"code":"InternalServerError","message":"boom"}}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

const tokens = {
  acquire: async () => ({ accessToken: "t", tenantId: "x", roles: [], expiresOn: new Date(Date.now() + 3_600_000) }),
} as unknown as TenantTokenClient;
const client = () => new MicrosoftApiClient({ tokens, baseUrl: base, sleep: async () => {}, maxAttempts: 3 });
const target = { tenantId: "00000000-0000-4000-8000-000000000001", region: null };

test("a GET that meets a 5xx is retried and succeeds", async () => {
  calls.length = 0;
  script = [500, 503];
  assert.deepEqual(await client().getJson("xdr", target, "/api/incidents"), { ok: true });
  assert.deepEqual(calls, ["GET", "GET", "GET"]);
});

test("a PATCH that meets a 5xx is reported, never sent twice (a comment would be duplicated)", async () => {
  calls.length = 0;
  script = [500];
  await assert.rejects(
    client().patchJson("xdr", target, "/api/incidents/1", { comment: "x" }),
    (err: unknown) => err instanceof MicrosoftApiError && err.kind === "server",
  );
  assert.deepEqual(calls, ["PATCH"]);
});

test("a PATCH throttled with 429 is retried after Retry-After (Microsoft did not act on it)", async () => {
  calls.length = 0;
  script = [429];
  assert.deepEqual(await client().patchJson("xdr", target, "/api/incidents/1", { status: "Resolved" }), { ok: true });
  assert.deepEqual(calls, ["PATCH", "PATCH"]);
});

test("429s do not use up the budget for failures: throttling is ridden out beside 5xx", async () => {
  calls.length = 0;
  script = [429, 500, 429, 429, 503, 429];
  assert.deepEqual(await client().getJson("xdr", target, "/api/incidents"), { ok: true });
  assert.equal(calls.length, 7);
});

test("a GET gives up after maxAttempts failures, and after its own budget of 429s", async () => {
  script = [500, 502, 503, 200];
  await assert.rejects(
    client().getJson("xdr", target, "/api/incidents"),
    (err: unknown) => err instanceof MicrosoftApiError && err.kind === "server" && err.httpStatus === 503,
  );
  script = [429, 429, 429, 200];
  const throttledClient = new MicrosoftApiClient({ tokens, baseUrl: base, sleep: async () => {}, maxThrottledRetries: 2 });
  await assert.rejects(
    throttledClient.getJson("xdr", target, "/api/incidents"),
    (err: unknown) => err instanceof MicrosoftApiError && err.kind === "throttled",
  );
  script = [];
});
