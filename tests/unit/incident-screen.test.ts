import assert from "node:assert/strict";
import { test } from "node:test";
import { liveUpdate, toIncidentScreen } from "../../components/incidents/incident-screen.ts";
import type { IncidentDetailView } from "../../lib/data/incidents.ts";

// The incident page sends the browser one copy of the incident as data, and the live refresh only what changed
// (issue #12 §1).
const stored = {
  id: "7d3c9a52-6a5e-4f4b-9d0c-1f2e3a4b5c6d",
  source: "graph",
  sourceId: "1234",
  title: "Ransomware staged on a file server",
  severity: "high",
  status: "active",
  classification: null,
  determination: null,
  assignedTo: null,
  tags: ["vip"],
  alertCount: 1,
  createdTime: new Date("2026-12-01T10:00:00Z"),
  lastUpdateTime: new Date("2026-12-01T11:00:00Z"),
  webUrl: "https://security.microsoft.com/incidents/1234",
  syncedAt: new Date("2026-12-01T11:05:00Z"),
  customer: { id: "c1", displayName: "Contoso", tenantId: "tenant-secret-ish", region: "global", grantedRoles: ["Incident.Read.All"], writeMode: "app" },
  canTriage: false,
  detail: {} as IncidentDetailView["detail"],
  alerts: [
    {
      id: "a1",
      sourceId: "x",
      title: "Alert",
      severity: "high",
      status: "new",
      category: null,
      serviceSource: null,
      detectionSource: "antivirus",
      createdTime: new Date("2026-12-01T10:00:00Z"),
      lastUpdateTime: new Date("2026-12-01T10:00:00Z"),
      detail: { evidence: [{ type: "file", verdict: "malicious", remediationStatus: null, fields: { fileName: "evil.exe" } }] },
      payload: undefined,
    },
  ],
  payload: undefined,
  refresh: null,
} as unknown as IncidentDetailView;

test("the page's copy holds what it shows, not the customer's tenant, region or roles; a payload of {} is no crash", () => {
  const screen = toIncidentScreen(stored);
  assert.deepEqual(screen.customer, { id: "c1", displayName: "Contoso" });
  assert.equal(JSON.stringify(screen).includes("tenant-secret-ish"), false);
  assert.deepEqual(screen.comments, []);
  assert.equal(screen.description, null);
  assert.equal(screen.alerts[0]!.source, "antivirus");
  assert.deepEqual(screen.alerts[0]!.detail.devices, []);
  assert.equal(screen.alerts[0]!.detail.evidence.length, 1);
  assert.equal(screen.portalUrl, "https://security.microsoft.com/incidents/1234");
});

test("the live refresh sends its outcome alone when Microsoft's copy is the stored one, the incident when it differs", () => {
  const before = toIncidentScreen(stored);
  const syncedAt = new Date("2026-12-01T11:10:00Z");
  const same = liveUpdate(before, toIncidentScreen({ ...stored, syncedAt, refresh: { ok: true } }));
  assert.deepEqual(same, { refresh: { ok: true }, syncedAt });
  const changed = liveUpdate(before, toIncidentScreen({ ...stored, syncedAt, status: "resolved", refresh: { ok: true } }));
  assert.equal(changed.incident?.status, "resolved");
});
