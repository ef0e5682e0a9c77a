import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { z } from "zod";
import { CERT_DIR } from "../../scripts/lib/stack.ts";
import { startSimulator, type SimulatorHandle } from "../../simulator/server.ts";
import { MicrosoftApiClient, type TenantTarget } from "../../lib/microsoft/api-client.ts";
import { TenantTokenClient } from "../../lib/microsoft/token-client.ts";
import * as S from "../../lib/microsoft/schemas/index.ts";
import { parseMicrosoftPayload } from "../../lib/microsoft/schemas/parse.ts";
import { SimControl, uniqueTenantName } from "../support/sim-control.ts";

/**
 * The simulator's answers go through the same zod parsers as Microsoft's documented examples
 * (tests/unit/microsoft-contract.test.ts), and carry no field the schemas (written from the docs) do not know.
 */
const clientId = randomUUID();
const clientSecret = randomBytes(24).toString("base64url");
let sim: SimulatorHandle;
let api: MicrosoftApiClient;
let target: TenantTarget;
let control: SimControl;

before(async () => {
  sim = await startSimulator({
    port: 0,
    certDir: CERT_DIR,
    seed: "contract",
    app: { clientId, displayName: "Contract tests", clientSecrets: [clientSecret], certificates: [], redirectUris: [] },
    defender: { incidentsPerTenant: 12, quotas: false },
  });
  control = new SimControl(sim.url);
  const t = await control.createTenant(uniqueTenantName("Contract"));
  await control.grantConsent(t.id);
  const tokens = new TenantTokenClient({ authorityHost: sim.url, clientId, credential: { kind: "secret", source: "env", secret: clientSecret } });
  api = new MicrosoftApiClient({ tokens, baseUrl: sim.url, sleep: async () => {} });
  target = { tenantId: t.id, region: "eu" };
});
after(async () => sim?.close());

/** Field names the simulator sent that the documented schema does not declare. */
function undocumented(raw: unknown, schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (!shape || typeof raw !== "object" || raw === null) return [];
  return Object.keys(raw).filter((k) => !(k in shape));
}

function checkItems(items: unknown[], schema: z.ZodType, what: string) {
  assert.ok(items.length > 0, `${what}: the simulator returned items`);
  for (const item of items) assert.deepEqual(undocumented(item, schema), [], `${what}: undocumented fields`);
}

test("Defender XDR incident list and single incident", async () => {
  const list = await api.getJson("xdr", target, "/api/incidents?$top=100");
  const parsed = parseMicrosoftPayload(S.xdrIncidentListSchema, list, "XDR list");
  const raw = (list as { value: Record<string, unknown>[] }).value;
  checkItems(raw, S.xdrIncidentSchema, "XDR incident");
  checkItems(
    raw.flatMap((i) => (i.alerts as unknown[]) ?? []),
    S.xdrIncidentAlertSchema,
    "XDR incident alert",
  );
  const one = await api.getJson("xdr", target, `/api/incidents/${parsed.value[0]!.incidentId}`);
  parseMicrosoftPayload(S.xdrIncidentSchema, one, "XDR incident");
});

test("Defender for Endpoint alert list with evidence and single alert", async () => {
  const list = await api.getJson("mde", target, "/api/alerts?$top=100&$expand=evidence");
  const parsed = parseMicrosoftPayload(S.mdeAlertListSchema, list, "MDE list");
  const raw = (list as { value: Record<string, unknown>[] }).value;
  checkItems(raw, S.mdeAlertSchema, "MDE alert");
  checkItems(
    raw.flatMap((a) => (a.evidence as unknown[]) ?? []),
    S.mdeEvidenceSchema,
    "MDE evidence",
  );
  parseMicrosoftPayload(S.mdeAlertSchema, await api.getJson("mde", target, `/api/alerts/${parsed.value[0]!.id}`), "MDE alert");
});

test("Microsoft Graph security incidents with alerts, and alerts_v2", async () => {
  const incidents = await api.getJson("graph", target, "/v1.0/security/incidents?$expand=alerts&$top=50");
  parseMicrosoftPayload(S.graphIncidentListSchema, incidents, "Graph incidents");
  const raw = (incidents as { value: Record<string, unknown>[] }).value;
  checkItems(raw, S.graphIncidentSchema, "Graph incident");
  checkItems(
    raw.flatMap((i) => (i.alerts as unknown[]) ?? []),
    S.graphAlertSchema,
    "Graph incident alert",
  );
  const alerts = await api.getJson("graph", target, "/v1.0/security/alerts_v2?$top=50");
  parseMicrosoftPayload(S.graphAlertListSchema, alerts, "Graph alerts_v2");
  checkItems((alerts as { value: unknown[] }).value, S.graphAlertSchema, "Graph alert");
});

test("legacy SIEM detections", async () => {
  const detections = await api.getJson("siem", target, "/api/alerts?ago=P365D");
  parseMicrosoftPayload(S.siemAlertListSchema, detections, "SIEM");
  checkItems(detections as unknown[], S.siemAlertSchema, "SIEM detection");
});

test("error bodies parse as the documented error shapes", async () => {
  const res = await fetch(`${sim.url}/api.security.microsoft.com/api/incidents`, { headers: { authorization: "Bearer not-a-token" } });
  assert.equal(res.status, 401);
  parseMicrosoftPayload(S.defenderErrorSchema, await res.json(), "Defender 401");
  const g = await fetch(`${sim.url}/graph.microsoft.com/v1.0/security/incidents`, { headers: { authorization: "Bearer not-a-token" } });
  assert.equal(g.status, 401);
  parseMicrosoftPayload(S.graphErrorSchema, await g.json(), "Graph 401");
});

test("the spellings Microsoft's own examples use (PascalCase Graph enums, `tags`; camelCase Defender) still parse", async () => {
  const t = await control.createTenant(uniqueTenantName("Spelling"));
  await control.grantConsent(t.id);
  const other: TenantTarget = { tenantId: t.id, region: "eu" };
  await control.setSpelling(t.id, { enumCase: "pascal", graphTags: "tags" });
  const graph = parseMicrosoftPayload(
    S.graphIncidentListSchema,
    await api.getJson("graph", other, "/v1.0/security/incidents?$expand=alerts&$top=50"),
    "Graph incidents",
  );
  assert.ok(graph.value.every((i) => /^[A-Z]/.test(i.severity ?? "") && /^[A-Z]/.test(i.status ?? "") && i.customTags === undefined && Array.isArray(i.tags)));
  assert.ok(graph.value.flatMap((i) => i.alerts ?? []).every((a) => /^[A-Z]/.test(a.status ?? "")));
  await control.setSpelling(t.id, { enumCase: "camel", graphTags: "customTags" });
  const xdr = parseMicrosoftPayload(S.xdrIncidentListSchema, await api.getJson("xdr", other, "/api/incidents?$top=100"), "XDR list");
  assert.ok(xdr.value.every((i) => /^[a-z]/.test(i.severity ?? "") && /^[a-z]/.test(i.status ?? "")));
  const mde = parseMicrosoftPayload(S.mdeAlertListSchema, await api.getJson("mde", other, "/api/alerts?$top=100"), "MDE list");
  assert.ok(mde.value.every((a) => /^[a-z]/.test(a.severity ?? "")));
  // The documented spelling of the first tenant is untouched.
  const documented = parseMicrosoftPayload(S.graphIncidentListSchema, await api.getJson("graph", target, "/v1.0/security/incidents?$top=5"), "Graph incidents");
  assert.ok(documented.value.every((i) => /^[a-z]/.test(i.severity ?? "") && i.tags === undefined));
});
