// Contract tests: the payload schemas parse what Microsoft documents (fixtures copied from the docs' examples,
// see tests/fixtures/microsoft/SOURCES.md), tolerate what Microsoft may add, and refuse what would corrupt data,
// with error messages that stay short and safe to log whatever the payload holds.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { z } from "zod";
import {
  aadstsCodeOf,
  defenderErrorSchema,
  entraTokenErrorSchema,
  graphAlertListSchema,
  graphAlertSchema,
  graphErrorSchema,
  graphEvidenceSchema,
  graphIncidentListSchema,
  graphIncidentSchema,
  graphListSchema,
  isDocumentedValue,
  mdeAlertListSchema,
  mdeAlertSchema,
  microsoftDateTimeSchema,
  microsoftDateToDate,
  MicrosoftPayloadError,
  parseMicrosoftJsonText,
  parseMicrosoftPayload,
  safeParseMicrosoftPayload,
  siemAlertListSchema,
  siemAlertSchema,
  XDR_INCIDENT_STATUSES,
  xdrIncidentListSchema,
  type GraphEvidence,
} from "../../lib/microsoft/schemas/index.ts";
import { ALERT_STATUSES, CLASSIFICATIONS, DETERMINATIONS, INCIDENT_STATUSES, SEVERITIES } from "../../lib/shared/canonical.ts";
import type { NormalizedAlert, NormalizedIncident } from "../../lib/sync/model.ts";
import { normalizeGraphAlert, normalizeGraphIncident, normalizeMdeAlert, normalizeXdrIncident } from "../../lib/sync/sources.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "microsoft");
const MB = 1024 * 1024;

/** A fresh deep copy each call, so a test can mutate it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are Microsoft's documented JSON, reshaped at will by each test
function fixture(name: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
}

/** Runs `fn`, expects a MicrosoftPayloadError, returns it. */
function payloadError(fn: () => unknown): MicrosoftPayloadError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof MicrosoftPayloadError, `expected MicrosoftPayloadError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected the payload to be rejected");
}

const FIXTURE_SCHEMAS: Record<string, { schema: z.ZodType; what: string }> = {
  "defender-xdr-list-incidents.json": { schema: xdrIncidentListSchema, what: "Defender XDR incident list" },
  "mde-list-alerts-default.json": { schema: mdeAlertListSchema, what: "MDE alert list" },
  "mde-list-alerts-expand-evidence.json": { schema: mdeAlertListSchema, what: "MDE alert list" },
  "mde-get-alert.json": { schema: mdeAlertSchema, what: "MDE alert" },
  "defender-error-resource-not-found.json": { schema: defenderErrorSchema, what: "Defender error" },
  "defender-error-invalid-request-body.json": { schema: defenderErrorSchema, what: "Defender error" },
  "graph-list-incidents.json": { schema: graphIncidentListSchema, what: "Graph incident list" },
  "graph-list-incidents-expand-alerts.json": { schema: graphIncidentListSchema, what: "Graph incident list" },
  "graph-get-incident.json": { schema: graphIncidentSchema, what: "Graph incident" },
  "graph-list-alerts-v2.json": { schema: graphAlertListSchema, what: "Graph alert list" },
  "graph-get-alert.json": { schema: graphAlertSchema, what: "Graph alert" },
  "graph-error-example.json": { schema: graphErrorSchema, what: "Graph error" },
  "entra-token-error-invalid-scope.json": { schema: entraTokenErrorSchema, what: "Entra token error" },
  "siem-list-alerts.json": { schema: siemAlertListSchema, what: "SIEM alert list" },
  "siem-alert-2017.json": { schema: siemAlertSchema, what: "SIEM alert" },
};

describe("documented examples parse", () => {
  test("every fixture has a schema and a SOURCES.md entry", () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith(".json"))
      .sort();
    assert.deepEqual(files, Object.keys(FIXTURE_SCHEMAS).sort());
    const sources = readFileSync(join(FIXTURES, "SOURCES.md"), "utf8");
    for (const f of files) assert.ok(sources.includes(f), `SOURCES.md names ${f}`);
  });

  for (const [name, { schema, what }] of Object.entries(FIXTURE_SCHEMAS)) {
    test(name, () => {
      parseMicrosoftPayload(schema, fixture(name), what);
    });
  }

  test("Defender XDR incidents keep numbers, nulls, devices and entities", () => {
    const list = parseMicrosoftPayload(xdrIncidentListSchema, fixture("defender-xdr-list-incidents.json"), "Defender XDR incident list");
    assert.equal(list["@odata.context"], "https://api.security.microsoft.com/api/$metadata#Incidents");
    assert.deepEqual(
      list.value.map((i) => i.incidentId),
      [924565, 924521, 924518],
    );
    const first = list.value[0]!;
    assert.equal(first.redirectIncidentId, null);
    assert.equal(first.comments?.[0]?.createdBy, "secop123@contoso.com");
    assert.equal(first.alerts?.[0]?.classification, null);
    assert.deepEqual(
      first.alerts?.[0]?.entities?.map((e) => e.entityType),
      ["User", "Ip"],
    );
    const device = list.value[1]!.alerts?.[0]?.devices?.[0];
    assert.equal(device?.mdatpDeviceId, "24c222b0b60fe148eeece49ac83910cc6a7ef491");
    assert.equal(device?.osBuild, 14393);
    assert.equal(list.value[2]!.alerts?.[0]?.entities?.length, 8);
  });

  test("MDE alerts keep evidence and related user", () => {
    const alert = parseMicrosoftPayload(mdeAlertSchema, fixture("mde-get-alert.json"), "MDE alert");
    assert.equal(alert.incidentId, 1126093);
    assert.deepEqual(alert.relatedUser, { userName: "temp123", domainName: "DOMAIN" });
    assert.deepEqual(
      alert.evidence?.map((e) => e.entityType),
      ["User", "Process", "File"],
    );
    assert.equal(alert.evidence?.[1]?.processId, 3276);
  });

  test("Graph alerts dispatch evidence by @odata.type", () => {
    const alert = parseMicrosoftPayload(graphAlertSchema, fixture("graph-get-alert.json"), "Graph alert");
    assert.deepEqual(
      alert.evidence?.map((e) => e.kind),
      ["device", "file", "process", "registryKey"],
    );
    const process = alert.evidence?.find((e): e is Extract<GraphEvidence, { kind: "process" }> => e.kind === "process");
    assert.equal(process?.imageFile?.fileSize, 6136392);
    assert.equal(process?.userAccount?.displayName, "System");
    assert.equal(alert.resolvedDateTime, null);
  });

  test("Graph incidents with $expand=alerts carry their alerts", () => {
    const list = parseMicrosoftPayload(graphIncidentListSchema, fixture("graph-list-incidents-expand-alerts.json"), "Graph incident list");
    const incident = list.value[0]!;
    assert.equal(incident.alerts?.length, 1);
    assert.equal(incident.alerts?.[0]?.evidence?.length, 4);
    assert.deepEqual(incident.tags, ["Demo"]);
  });

  test("error bodies expose their codes", () => {
    const d = parseMicrosoftPayload(defenderErrorSchema, fixture("defender-error-resource-not-found.json"), "Defender error");
    assert.equal(d.error.code, "ResourceNotFound");
    assert.equal(d.error.target, "43f4cb08-8fac-4b65-9db1-745c2ae65f3a");
    const g = parseMicrosoftPayload(graphErrorSchema, fixture("graph-error-example.json"), "Graph error");
    assert.equal(g.error.innerError?.["request-id"], "request-id");
    const e = parseMicrosoftPayload(entraTokenErrorSchema, fixture("entra-token-error-invalid-scope.json"), "Entra token error");
    assert.equal(aadstsCodeOf(e), "AADSTS70011");
    assert.equal(aadstsCodeOf({ error: "access_denied", error_description: "AADSTS65004: User declined to consent" }), "AADSTS65004");
  });

  test("the SIEM API answers with a bare array", () => {
    const list = parseMicrosoftPayload(siemAlertListSchema, fixture("siem-list-alerts.json"), "SIEM alert list");
    assert.equal(list[0]?.AlertId, "da637370718981685665_16349121");
    assert.equal(list[0]?.ReportID, 1053729833);
    const err = payloadError(() => parseMicrosoftPayload(siemAlertListSchema, { value: list }, "SIEM alert list"));
    assert.equal(err.message, "SIEM alert list: (root): expected array, received object");
  });
});

describe("tolerance of what Microsoft may add", () => {
  test("unknown fields at every level are accepted", () => {
    const doc = fixture("defender-xdr-list-incidents.json");
    doc.someNewEnvelopeField = { nested: true };
    doc.value[0].newIncidentField = 42;
    doc.value[0].alerts[0].newAlertField = "x";
    doc.value[0].alerts[0].entities[0].newEntityField = null;
    doc.value[1].alerts[0].devices[0].newDeviceField = [1, 2];
    const list = parseMicrosoftPayload(xdrIncidentListSchema, doc, "Defender XDR incident list");
    assert.equal(list.value.length, 3);

    const graph = fixture("graph-get-alert.json");
    graph.brandNewProperty = { a: 1 };
    graph.evidence[0].brandNewEvidenceProperty = "y";
    parseMicrosoftPayload(graphAlertSchema, graph, "Graph alert");

    const siem = fixture("siem-list-alerts.json");
    siem[0].SomeFutureColumn = "z";
    parseMicrosoftPayload(siemAlertListSchema, siem, "SIEM alert list");
  });

  test("an unknown enum value is kept, not rejected", () => {
    const doc = fixture("defender-xdr-list-incidents.json");
    doc.value[0].status = "AwaitingCustomerAction";
    doc.value[0].alerts[0].entities[0].entityType = "CloudApplication";
    const list = parseMicrosoftPayload(xdrIncidentListSchema, doc, "Defender XDR incident list");
    assert.equal(list.value[0]!.status, "AwaitingCustomerAction");
    assert.equal(list.value[0]!.alerts?.[0]?.entities?.[0]?.entityType, "CloudApplication");
    assert.ok(!isDocumentedValue(XDR_INCIDENT_STATUSES, list.value[0]!.status!));
    assert.ok(isDocumentedValue(XDR_INCIDENT_STATUSES, "Resolved"));

    const graph = fixture("graph-get-alert.json");
    graph.severity = "critical";
    graph.evidence[0].roles = ["compromised", "someFutureRole"];
    const alert = parseMicrosoftPayload(graphAlertSchema, graph, "Graph alert");
    assert.equal(alert.severity, "critical");
  });

  test("the Graph docs' PascalCase enum examples parse as-is", () => {
    const incident = parseMicrosoftPayload(graphIncidentSchema, fixture("graph-get-incident.json"), "Graph incident");
    assert.equal(incident.classification, "TruePositive");
    assert.equal(incident.status, "Active");
  });

  test("an unknown evidence type is kept with its raw fields", () => {
    const raw = { "@odata.type": "#microsoft.graph.security.analyzedMessageEvidence", subject: "hello", recipientEmailAddress: "a@b.c", urlCount: 3 };
    const evidence = graphEvidenceSchema.parse(raw);
    assert.equal(evidence.kind, "unknown");
    assert.deepEqual({ ...evidence }, { ...raw, kind: "unknown" });
  });

  test("envelopes accept paging fields", () => {
    const page = graphListSchema(graphIncidentSchema).parse({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#security/incidents",
      "@odata.count": 2,
      "@odata.nextLink": "https://graph.microsoft.com/v1.0/security/incidents?$skip=1",
      value: [fixture("graph-get-incident.json")],
    });
    assert.equal(page["@odata.count"], 2);
    assert.ok(page["@odata.nextLink"]?.startsWith("https://graph.microsoft.com/"));
  });

  test("dates accept 7-digit fractions, short fractions, Z and offsets", () => {
    for (const ok of [
      "2020-09-06T14:46:57.0733333Z",
      "2020-09-06T14:46:57.29Z",
      "2020-09-04T05:22:59Z",
      "2021-01-01T00:00:00+01:00",
      "2020-09-06T14:46:57.0733333",
    ]) {
      assert.ok(microsoftDateTimeSchema.safeParse(ok).success, ok);
    }
    for (const bad of ["yesterday", "2020-09-06", "1599403617", "2020-09-06T14:46:57.0733333Z trailing"]) {
      assert.ok(!microsoftDateTimeSchema.safeParse(bad).success, bad);
    }
    assert.equal(microsoftDateToDate("2020-09-06T14:46:57.0733333Z")?.toISOString(), "2020-09-06T14:46:57.073Z");
    assert.equal(microsoftDateToDate("2020-09-06T14:46:57")?.toISOString(), "2020-09-06T14:46:57.000Z");
  });
});

describe("refusal of what would corrupt data", () => {
  test("a numeric string where the docs show a number fails, naming the path", () => {
    const doc = fixture("defender-xdr-list-incidents.json");
    doc.value[2].incidentId = "924518";
    const err = payloadError(() => parseMicrosoftPayload(xdrIncidentListSchema, doc, "Defender XDR incident list"));
    assert.equal(err.message, "Defender XDR incident list: value[2].incidentId: expected number, received string");
    assert.deepEqual(err.issues, [{ path: "value[2].incidentId", message: "expected number, received string" }]);
  });

  test("value that is not an array fails", () => {
    const err = payloadError(() =>
      parseMicrosoftPayload(xdrIncidentListSchema, { "@odata.context": "x", value: { incidentId: 1 } }, "Defender XDR incident list"),
    );
    assert.equal(err.message, "Defender XDR incident list: value: expected array, received object");
    const missing = payloadError(() => parseMicrosoftPayload(graphAlertListSchema, {}, "Graph alert list"));
    assert.equal(missing.message, "Graph alert list: value: expected array, received undefined");
  });

  test("nested wrong types name the full path", () => {
    const mde = fixture("mde-list-alerts-expand-evidence.json");
    mde.value[0].evidence[1].processId = "3276";
    assert.match(
      payloadError(() => parseMicrosoftPayload(mdeAlertListSchema, mde, "MDE alert list")).message,
      /^MDE alert list: value\[0\]\.evidence\[1\]\.processId: expected number, received string$/,
    );

    const graph = fixture("graph-list-alerts-v2.json");
    graph.value[0].evidence[0].osBuild = "22424";
    assert.equal(
      payloadError(() => parseMicrosoftPayload(graphAlertListSchema, graph, "Graph alert list")).message,
      "Graph alert list: value[0].evidence[0].osBuild: expected number, received string",
    );

    const paging = fixture("graph-list-incidents.json");
    paging["@odata.nextLink"] = 5;
    assert.equal(
      payloadError(() => parseMicrosoftPayload(graphIncidentListSchema, paging, "Graph incident list")).message,
      'Graph incident list: ["@odata.nextLink"]: expected string, received number',
    );
  });

  test("a known evidence type with a wrong field fails instead of passing as unknown", () => {
    const bad = { "@odata.type": "#microsoft.graph.security.fileEvidence", fileDetails: { fileSize: "big" } };
    const result = safeParseMicrosoftPayload(graphEvidenceSchema, bad, "Graph evidence");
    assert.ok(!result.ok);
    assert.equal(result.error.message, "Graph evidence: fileDetails.fileSize: expected number, received string");
  });

  test("null where the docs never show null fails; null where they do passes", () => {
    const doc = fixture("defender-xdr-list-incidents.json");
    doc.value[0].incidentId = null;
    assert.match(
      payloadError(() => parseMicrosoftPayload(xdrIncidentListSchema, doc, "XDR")).message,
      /value\[0\]\.incidentId: expected number, received null/,
    );
    const ok = fixture("defender-xdr-list-incidents.json");
    ok.value[0].assignedTo = null;
    ok.value[0].redirectIncidentId = null;
    parseMicrosoftPayload(xdrIncidentListSchema, ok, "XDR");
  });

  test("a malformed date fails with the value echoed, escaped", () => {
    const doc = fixture("defender-xdr-list-incidents.json");
    doc.value[1].lastUpdateTime = "not a date\nFAKE LOG LINE";
    const err = payloadError(() => parseMicrosoftPayload(xdrIncidentListSchema, doc, "XDR"));
    assert.equal(err.message, 'XDR: value[1].lastUpdateTime: expected ISO 8601 date-time, received "not a date\\nFAKE LOG LINE"');
    assert.ok(!err.message.includes("\n"));
  });

  test("many errors are summarised, not listed in full", () => {
    const doc = { value: Array.from({ length: 1000 }, () => ({ incidentId: "1", createdTime: 1, lastUpdateTime: 2 })) };
    const err = payloadError(() => parseMicrosoftPayload(xdrIncidentListSchema, doc, "XDR"));
    assert.equal(err.issues.length, 3000);
    assert.ok(err.message.endsWith("(and 2995 more)"), err.message);
    assert.ok(err.message.length < 600, `message is ${err.message.length} chars`);
  });
});

describe("hostile sizes", () => {
  test("a 1 MB string in a string field parses", () => {
    const doc = fixture("defender-xdr-list-incidents.json");
    doc.value[0].alerts[0].description = "A".repeat(MB);
    const list = parseMicrosoftPayload(xdrIncidentListSchema, doc, "XDR");
    assert.equal(list.value[0]!.alerts?.[0]?.description?.length, MB);
  });

  test("a wrong-typed 1 MB field gives a short message", () => {
    const doc = fixture("defender-xdr-list-incidents.json");
    doc.value[0].incidentId = "9".repeat(MB);
    const err = payloadError(() => parseMicrosoftPayload(xdrIncidentListSchema, doc, "XDR"));
    assert.equal(err.message, "XDR: value[0].incidentId: expected number, received string");
  });

  test("a 1 MB malformed date echoes at most ~80 characters of it", () => {
    const doc = fixture("graph-get-alert.json");
    doc.lastUpdateDateTime = "x".repeat(MB);
    const err = payloadError(() => parseMicrosoftPayload(graphAlertSchema, doc, "Graph alert"));
    assert.ok(err.message.length < 200, `message is ${err.message.length} chars`);
    assert.ok(err.message.includes(`(${MB} chars)`));
    assert.ok(JSON.stringify(err.issues).length < 300);
  });

  test("a 1 MB unknown enum value is kept", () => {
    const doc = fixture("graph-get-alert.json");
    doc.status = "s".repeat(MB);
    const alert = parseMicrosoftPayload(graphAlertSchema, doc, "Graph alert");
    assert.equal(alert.status?.length, MB);
  });

  test("a body that is not JSON fails without quoting it", () => {
    const body = `<html>${"z".repeat(MB)}</html>`;
    const err = payloadError(() => parseMicrosoftJsonText(mdeAlertListSchema, body, "MDE alert list"));
    assert.equal(err.message, `MDE alert list: (root): expected JSON, received ${body.length} characters that are not JSON`);
  });
});

describe("both enum casings land canonical (lib/shared/canonical.ts at ingest)", () => {
  const ENUM_KEYS = new Set(["status", "severity", "classification", "determination"]);
  /** A copy of a documented payload with every enum value (incidents and their alerts) recased. */
  function recase(doc: unknown, to: "pascal" | "camel"): unknown {
    if (Array.isArray(doc)) return doc.map((d) => recase(d, to));
    if (!doc || typeof doc !== "object") return doc;
    return Object.fromEntries(
      Object.entries(doc).map(([k, v]) => [
        k,
        ENUM_KEYS.has(k) && typeof v === "string" ? (to === "pascal" ? v.charAt(0).toUpperCase() : v.charAt(0).toLowerCase()) + v.slice(1) : recase(v, to),
      ]),
    );
  }
  const canonicalSets = {
    severity: SEVERITIES as readonly string[],
    classification: [...CLASSIFICATIONS, null] as readonly (string | null)[],
    determination: [...DETERMINATIONS, null] as readonly (string | null)[],
  };
  function assertCanonical(rows: NormalizedAlert[] | NormalizedIncident[], statuses: readonly string[], what: string) {
    assert.ok(rows.length > 0, what);
    for (const r of rows) {
      assert.ok(canonicalSets.severity.includes(r.severity), `${what}: severity ${r.severity}`);
      assert.ok(statuses.includes(r.status), `${what}: status ${r.status}`);
      assert.ok(canonicalSets.classification.includes(r.classification), `${what}: classification ${r.classification}`);
      assert.ok(canonicalSets.determination.includes(r.determination), `${what}: determination ${r.determination}`);
    }
  }
  const enums = (rows: (NormalizedAlert | NormalizedIncident)[]) => rows.map((r) => [r.severity, r.status, r.classification, r.determination]);

  const feeds: { fixture: string; normalize: (doc: unknown) => { incidents: NormalizedIncident[]; alerts: NormalizedAlert[] } }[] = [
    { fixture: "graph-list-incidents.json", normalize: (d) => ({ incidents: graphIncidentListSchema.parse(d).value.map(normalizeGraphIncident), alerts: [] }) },
    { fixture: "graph-get-incident.json", normalize: (d) => ({ incidents: [normalizeGraphIncident(graphIncidentSchema.parse(d))], alerts: [] }) },
    {
      fixture: "graph-list-incidents-expand-alerts.json",
      normalize: (d) => {
        const incidents = graphIncidentListSchema.parse(d).value.map(normalizeGraphIncident);
        return { incidents, alerts: incidents.flatMap((i) => i.alerts) };
      },
    },
    { fixture: "graph-list-alerts-v2.json", normalize: (d) => ({ incidents: [], alerts: graphAlertListSchema.parse(d).value.map(normalizeGraphAlert) }) },
    { fixture: "graph-get-alert.json", normalize: (d) => ({ incidents: [], alerts: [normalizeGraphAlert(graphAlertSchema.parse(d))] }) },
    {
      fixture: "defender-xdr-list-incidents.json",
      normalize: (d) => {
        const incidents = xdrIncidentListSchema.parse(d).value.map((i) => normalizeXdrIncident(i, "tenant"));
        return { incidents, alerts: incidents.flatMap((i) => i.alerts) };
      },
    },
    { fixture: "mde-list-alerts-default.json", normalize: (d) => ({ incidents: [], alerts: mdeAlertListSchema.parse(d).value.map(normalizeMdeAlert) }) },
    {
      fixture: "mde-list-alerts-expand-evidence.json",
      normalize: (d) => ({ incidents: [], alerts: mdeAlertListSchema.parse(d).value.map(normalizeMdeAlert) }),
    },
    { fixture: "mde-get-alert.json", normalize: (d) => ({ incidents: [], alerts: [normalizeMdeAlert(mdeAlertSchema.parse(d))] }) },
  ];
  for (const { fixture: name, normalize } of feeds) {
    test(`${name}: as documented, PascalCase and camelCase store the same canonical values`, () => {
      const documented = normalize(fixture(name));
      for (const to of ["pascal", "camel"] as const) {
        const variant = normalize(recase(fixture(name), to));
        assertCanonical(
          variant.incidents.length ? variant.incidents : variant.alerts,
          variant.incidents.length ? INCIDENT_STATUSES : ALERT_STATUSES,
          `${name} ${to}`,
        );
        if (variant.incidents.length && variant.alerts.length) assertCanonical(variant.alerts, ALERT_STATUSES, `${name} ${to} alerts`);
        assert.deepEqual(enums(variant.incidents), enums(documented.incidents), `${name} ${to}: incidents`);
        assert.deepEqual(enums(variant.alerts), enums(documented.alerts), `${name} ${to}: alerts`);
      }
    });
  }

  test("the Graph list example's PascalCase incident is stored as the severity filter's value", () => {
    const [incident] = graphIncidentListSchema.parse(fixture("graph-list-incidents.json")).value.map(normalizeGraphIncident);
    assert.deepEqual(
      [incident!.severity, incident!.status, incident!.classification, incident!.determination],
      ["medium", "active", "truePositive", "multiStagedAttack"],
    );
  });

  test("tags: the $expand example's `tags`, `customTags` and `systemTags` are all kept, once each", () => {
    const [expanded] = graphIncidentListSchema.parse(fixture("graph-list-incidents-expand-alerts.json")).value.map(normalizeGraphIncident);
    assert.deepEqual(expanded!.tags, ["Demo", "Defender Experts"], "`tags` (this example's spelling) is no longer dropped");
    const both = fixture("graph-get-incident.json");
    both.customTags = ["Demo", "VIP"];
    both.tags = ["Demo", "Finance"];
    both.systemTags = ["Defender Experts"];
    assert.deepEqual(normalizeGraphIncident(graphIncidentSchema.parse(both)).tags, ["Demo", "VIP", "Finance", "Defender Experts"]);
  });

  test("determination synonyms from different pages store one value", () => {
    const values = ["CompromisedAccount", "compromisedAccount", "CompromisedUser", "compromisedUser"].map((d) => {
      const doc = fixture("graph-get-alert.json");
      doc.determination = d;
      return normalizeGraphAlert(graphAlertSchema.parse(doc)).determination;
    });
    const mde = fixture("mde-get-alert.json");
    mde.determination = "CompromisedUser";
    const xdr = fixture("defender-xdr-list-incidents.json");
    xdr.value[0].determination = "CompromisedAccount";
    values.push(
      normalizeMdeAlert(mdeAlertSchema.parse(mde)).determination,
      normalizeXdrIncident(xdrIncidentListSchema.parse(xdr).value[0]!, "t").determination,
    );
    assert.deepEqual(new Set(values), new Set(["compromisedUser"]));
  });
});
