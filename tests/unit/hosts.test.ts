import assert from "node:assert/strict";
import { test } from "node:test";
import { apiHost, apiUrl } from "../../lib/microsoft/hosts.ts";

test("regional hosts for the Defender APIs, global hosts otherwise", () => {
  for (const r of ["us", "eu", "uk", "au", "swa", "ina"] as const) {
    assert.equal(apiHost("xdr", r), `${r}.api.security.microsoft.com`);
    assert.equal(apiHost("mde", r), `${r}.api.security.microsoft.com`);
    assert.equal(apiHost("graph", r), "graph.microsoft.com");
  }
  assert.equal(apiHost("xdr", null), "api.security.microsoft.com");
  // The SIEM exporter exists in eu, us and uk only.
  assert.equal(apiHost("siem", "eu"), "wdatp-alertexporter-eu.windows.com");
  assert.equal(apiHost("siem", "uk"), "wdatp-alertexporter-uk.windows.com");
  assert.equal(apiHost("siem", "au"), "wdatp-alertexporter-us.windows.com");
});

test("MICROSOFT_API_BASE prefixes the host; without it the real https host is used", () => {
  assert.equal(apiUrl("xdr", "eu", "/api/incidents?$top=100", null), "https://eu.api.security.microsoft.com/api/incidents?$top=100");
  assert.equal(
    apiUrl("graph", null, "/v1.0/security/incidents", "https://localhost:8443/"),
    "https://localhost:8443/graph.microsoft.com/v1.0/security/incidents",
  );
});
