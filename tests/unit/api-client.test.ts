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

test("call slots: no more calls at Microsoft than slots, and a Retry-After wait does not hold one", async () => {
  const { Semaphore } = await import("../../lib/shared/pool.ts");
  let inFlight = 0;
  let maxInFlight = 0;
  let throttleNext = 0;
  const slow = createServer((_req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      const throttled = throttleNext > 0;
      if (throttled) throttleNext -= 1;
      res.writeHead(throttled ? 429 : 200, { "content-type": "application/json", ...(throttled ? { "retry-after": "1" } : {}) });
      res.end(throttled ? '{"error":{"code":"TooManyRequests","message":"slow down"}}' : '{"ok":true}');
    }, 20);
  });
  await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
  const slowBase = `http://127.0.0.1:${(slow.address() as { port: number }).port}`;
  try {
    const slots = new Semaphore(2);
    const c = new MicrosoftApiClient({ tokens, baseUrl: slowBase, sleep: async () => {}, callSlots: slots });
    await Promise.all(Array.from({ length: 8 }, () => c.getJson("xdr", target, "/api/incidents")));
    assert.equal(maxInFlight, 2, "never more calls at once than slots");

    // One slot: the throttled call waits out its Retry-After without the slot, so another call gets through meanwhile.
    let endWait!: () => void;
    const waiting = new Promise<void>((r) => (endWait = r));
    let waitStarted!: () => void;
    const started = new Promise<void>((r) => (waitStarted = r));
    const one = new MicrosoftApiClient({
      tokens,
      baseUrl: slowBase,
      callSlots: new Semaphore(1),
      sleep: async () => {
        waitStarted();
        await waiting;
      },
    });
    throttleNext = 1;
    const throttled = one.getJson("xdr", target, "/api/incidents");
    await started;
    assert.deepEqual(await one.getJson("xdr", target, "/api/alerts"), { ok: true }, "the slot was free during the wait");
    endWait();
    assert.deepEqual(await throttled, { ok: true });
  } finally {
    slow.close();
  }
});
