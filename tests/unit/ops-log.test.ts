import assert from "node:assert/strict";
import { test } from "node:test";
import { formatLine, redact, redactText, requestContext, setLogProcess, textLogger } from "../../lib/ops/log.ts";
import { chooseRequestId, isSafeRequestId } from "../../lib/ops/request-id.ts";
import { parseTrustedProxies } from "../../lib/security/client-address.ts";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiIxMjM0NTY3OCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

test("a log line is one JSON object with time, level, msg, process and the event's fields", () => {
  setLogProcess("worker");
  const line = formatLine("info", "sync run finished", { feed: "alerts", rowsChanged: 3 });
  assert.ok(!line.includes("\n"));
  const o = JSON.parse(line) as Record<string, unknown>;
  assert.equal(o.level, "info");
  assert.equal(o.msg, "sync run finished");
  assert.equal(o.process, "worker");
  assert.equal(o.feed, "alerts");
  assert.equal(o.rowsChanged, 3);
  assert.ok(!Number.isNaN(Date.parse(String(o.time))));
  assert.equal(o.requestId, undefined, "no request, no request id");
});

test("a line written inside a request carries its request id", () => {
  const line = requestContext().run({ requestId: "req-12345678" }, () => formatLine("error", "request failed", {}));
  assert.equal((JSON.parse(line) as { requestId: string }).requestId, "req-12345678");
});

test("secret-looking keys, bearer tokens, JWTs and secret URL parameters are redacted", () => {
  const line = formatLine("error", `token refused: Bearer ${JWT} at https://x/cb?code=abc123456&state=s3cr3tstate`, {
    clientSecret: "very-secret-value",
    client_secret: "another-secret",
    accessToken: JWT,
    authorization: `Bearer ${JWT}`,
    cookie: "next-auth.session-token=abc",
    state: "consent-state-value",
    nested: { password: "hunter2", ok: "visible", note: `header was Bearer abcdefghijklmnop` },
    err: Object.assign(new Error(`failed with ${JWT}`), { code: "invalid_client" }),
  });
  for (const secret of [
    "very-secret-value",
    "another-secret",
    JWT,
    "next-auth.session-token",
    "consent-state-value",
    "hunter2",
    "abc123456",
    "s3cr3tstate",
    "abcdefghijklmnop",
  ]) {
    assert.ok(!line.includes(secret), `${secret} must not be logged: ${line}`);
  }
  const o = JSON.parse(line) as { nested: { ok: string }; err: { code: string; message: string } };
  assert.equal(o.nested.ok, "visible");
  assert.equal(o.err.code, "invalid_client", "error codes stay readable");
  assert.match(o.err.message, /failed with \[redacted-jwt\]/);
});

test("redact keeps plain values and bounds depth and size", () => {
  assert.equal(redact(5), 5);
  assert.equal(redact(true), true);
  assert.equal(redactText("nothing to hide"), "nothing to hide");
  const deep = { a: { b: { c: { d: { e: 1 } } } } };
  assert.equal(JSON.stringify(redact(deep)).includes('"[depth]"'), true);
  assert.ok(String(redact("x".repeat(10_000))).length < 5_000);
});

test("the text logger (npm start's console) redacts too", () => {
  const lines: string[] = [];
  textLogger((l) => lines.push(l)).warn("queue error", { token: "abc", customerId: "c1" });
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.includes("abc"));
  assert.match(lines[0]!, /^warn: queue error .*customerId=c1/);
});

test("a request id comes from a trusted proxy only, and only when it is a plain id", () => {
  const trusted = parseTrustedProxies("10.0.0.0/8");
  assert.equal(chooseRequestId("proxy-id-123456", "10.1.2.3", trusted), "proxy-id-123456");
  assert.notEqual(chooseRequestId("proxy-id-123456", "192.0.2.7", trusted), "proxy-id-123456", "an untrusted client's id is ignored");
  assert.notEqual(chooseRequestId("proxy-id-123456", "10.1.2.3", null), "proxy-id-123456", "no TRUSTED_PROXIES: nobody is believed");
  assert.notEqual(chooseRequestId('bad"id\nwith newline', "10.1.2.3", trusted), 'bad"id\nwith newline');
  assert.ok(isSafeRequestId(chooseRequestId(undefined, "10.1.2.3", trusted)));
});
