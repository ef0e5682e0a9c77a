import assert from "node:assert/strict";
import { test } from "node:test";
import {
  labelValue,
  metrics,
  metricsText,
  recordApiCall,
  recordNotificationDelivery,
  recordTokenRequest,
  recordWebRequest,
  statusClass,
} from "../../lib/ops/metrics.ts";
import { bearerMatches } from "../../lib/ops/metrics-server.ts";
import { classifyRequest, UNMATCHED_ROUTE } from "../../lib/ops/routes.ts";
import { seriesOf } from "../support/metrics.ts";

test("API calls are counted by api and status class: 429s and 5xx have series of their own", async () => {
  recordApiCall("graph", 200);
  recordApiCall("graph", 429);
  recordApiCall("xdr", 503);
  recordApiCall("mde", null);
  const s = seriesOf(await metricsText(null)).filter((x) => x.name === "portal_microsoft_api_calls_total");
  const classes = s.map((x) => `${x.labels.api}/${x.labels.status_class}`);
  for (const c of ["graph/2xx", "graph/429", "xdr/5xx", "mde/none"]) assert.ok(classes.includes(c), `${c} in ${classes.join(", ")}`);
  for (const x of s) assert.deepEqual(Object.keys(x.labels).sort(), ["api", "status_class"]);
});

test("token requests, notification deliveries and web requests use fixed label sets", async () => {
  recordTokenRequest("issued");
  recordTokenRequest("not_consented");
  recordNotificationDelivery("email", "sent");
  recordWebRequest({ route: "/incidents/[id]", method: "get", kind: "page", status: 200, seconds: 0.03 });
  const s = seriesOf(await metricsText(null));
  const names = new Set(s.map((x) => x.name));
  for (const n of [
    "portal_token_requests_total",
    "portal_notification_deliveries_total",
    "portal_web_request_duration_seconds_bucket",
    "portal_process_resident_memory_bytes",
  ]) {
    assert.ok(names.has(n), n);
  }
  const web = s.find((x) => x.name === "portal_web_request_duration_seconds_count")!;
  assert.deepEqual(web.labels, { route: "/incidents/[id]", method: "GET", kind: "page", status_class: "2xx" });
  const delivery = s.find((x) => x.name === "portal_notification_deliveries_total")!;
  assert.deepEqual(delivery.labels, { channel: "email", outcome: "sent" });
});

test("a label value outside a plain vocabulary (an id, free text, a URL) collapses to 'other'", () => {
  assert.equal(labelValue("graph"), "graph");
  assert.equal(labelValue("https://contoso.example/x?y=1"), "other");
  assert.equal(labelValue("Customer admin declined"), "other");
  assert.equal(labelValue(null), "other");
  assert.equal(statusClass(404), "4xx");
  assert.equal(statusClass(429), "429");
  assert.equal(statusClass(null), "none");
});

test("every metric the README names is registered, with its labels", async () => {
  const m = metrics();
  const text = await metricsText(null);
  for (const name of [
    "portal_microsoft_api_calls_total",
    "portal_token_requests_total",
    "portal_notification_deliveries_total",
    "portal_sync_runs_total",
    "portal_sync_run_duration_seconds",
    "portal_web_request_duration_seconds",
    "portal_sync_lag_max_seconds",
    "portal_sync_lag_p95_seconds",
    "portal_sync_tenants",
    "portal_sync_never_succeeded",
    "portal_sync_failing",
    "portal_queue_jobs",
    "portal_queue_oldest_waiting_seconds",
    "portal_metrics_source_up",
  ]) {
    assert.ok(m.registry.getSingleMetric(name), `${name} registered`);
    assert.ok(text.includes(`# TYPE ${name} `), `${name} in the text format`);
  }
});

test("request paths map to route patterns, never to ids", () => {
  const table = {
    exact: new Set(["/incidents", "/api/health/live"]),
    dynamic: [{ page: "/incidents/[id]", regex: /^\/incidents\/([^/]+?)(?:\/)?$/ }],
  };
  const id = "4f1c2a9e-0000-4000-8000-000000000001";
  assert.deepEqual(classifyRequest(table, { method: "GET", url: `/incidents/${id}?tab=x`, headers: {} }), { route: "/incidents/[id]", kind: "page" });
  assert.deepEqual(classifyRequest(table, { method: "GET", url: `/incidents/${id}`, headers: { rsc: "1" } }), { route: "/incidents/[id]", kind: "rsc" });
  assert.deepEqual(classifyRequest(table, { method: "POST", url: "/incidents", headers: { "next-action": "abc" } }), { route: "/incidents", kind: "action" });
  assert.deepEqual(classifyRequest(table, { method: "GET", url: "/api/health/live", headers: {} }), { route: "/api/health/live", kind: "api" });
  assert.deepEqual(classifyRequest(table, { method: "GET", url: "/_next/static/chunks/x.js", headers: {} }), { route: "/_next/static", kind: "static" });
  assert.equal(classifyRequest(table, { method: "GET", url: `/no/such/${id}`, headers: {} }).route, UNMATCHED_ROUTE);
});

test("the metrics bearer token is compared whole", () => {
  const token = "0123456789abcdef0123";
  assert.equal(bearerMatches(`Bearer ${token}`, token), true);
  assert.equal(bearerMatches(`bearer ${token}`, token), true);
  assert.equal(bearerMatches(`Bearer ${token}x`, token), false);
  assert.equal(bearerMatches(`Bearer ${token.slice(0, -1)}`, token), false);
  assert.equal(bearerMatches(token, token), false, "the scheme is required");
  assert.equal(bearerMatches(null, token), false);
  assert.equal(bearerMatches("Bearer ", token), false);
});

test("the worker's metrics server binds loopback, serves /metrics only, and asks for METRICS_TOKEN when one is set", async () => {
  const { startMetricsServer } = await import("../../lib/ops/metrics-server.ts");
  const open = await startMetricsServer({ port: 0, prisma: null });
  try {
    assert.equal((open.server.address() as { address: string }).address, "127.0.0.1");
    const res = await fetch(`http://127.0.0.1:${open.port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /# TYPE portal_microsoft_api_calls_total counter/);
    assert.equal((await fetch(`http://127.0.0.1:${open.port}/`)).status, 404);
  } finally {
    await open.close();
  }
  const token = "worker-metrics-token-0123";
  const guarded = await startMetricsServer({ port: 0, prisma: null, token });
  try {
    assert.equal((await fetch(`http://127.0.0.1:${guarded.port}/metrics`)).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${guarded.port}/metrics`, { headers: { authorization: "Bearer nope" } })).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${guarded.port}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  } finally {
    await guarded.close();
  }
});
