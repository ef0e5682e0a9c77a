// The canonical-value normalizer and the ingest bounds (lib/shared/canonical.ts, lib/shared/caps.ts): pure functions.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  GRAPH_ALERT_STATUSES,
  GRAPH_CLASSIFICATIONS,
  GRAPH_DETERMINATIONS,
  GRAPH_INCIDENT_STATUSES,
  GRAPH_SEVERITIES,
  MDE_ALERT_STATUSES,
  MDE_CLASSIFICATIONS,
  MDE_DETERMINATIONS,
  MDE_SEVERITIES,
  XDR_ALERT_STATUSES,
  XDR_CLASSIFICATIONS,
  XDR_DETERMINATIONS,
  XDR_INCIDENT_STATUSES,
  XDR_SEVERITIES,
} from "../../lib/microsoft/schemas/index.ts";
import {
  ALERT_STATUSES,
  CLASSIFICATIONS,
  canonicalValue,
  DETERMINATIONS,
  INCIDENT_STATUSES,
  label,
  LABELS,
  mergeTags,
  SEVERITIES,
  type EnumField,
} from "../../lib/shared/canonical.ts";
import { boundIncident, boundPayload, capText, LIMITS, splitCut } from "../../lib/shared/caps.ts";

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const camel = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

describe("canonical values", () => {
  // Every value Microsoft's pages list for a field (schemas cite the pages), in every casing, lands on one canonical
  // value; the only exceptions are members that have no canonical counterpart and are kept as they come.
  const documented: Record<EnumField, { values: readonly string[]; canonical: readonly string[]; keptAsIs: string[] }> = {
    severity: { values: [...GRAPH_SEVERITIES, ...XDR_SEVERITIES, ...MDE_SEVERITIES], canonical: SEVERITIES, keptAsIs: ["unknownFutureValue"] },
    incidentStatus: {
      values: [...GRAPH_INCIDENT_STATUSES, ...XDR_INCIDENT_STATUSES],
      canonical: INCIDENT_STATUSES,
      keptAsIs: ["unknownFutureValue", "awaitingAction"],
    },
    alertStatus: {
      values: [...GRAPH_ALERT_STATUSES, ...XDR_ALERT_STATUSES, ...MDE_ALERT_STATUSES],
      canonical: ALERT_STATUSES,
      keptAsIs: ["unknownFutureValue", "active"],
    },
    classification: {
      values: [...GRAPH_CLASSIFICATIONS, ...XDR_CLASSIFICATIONS, ...MDE_CLASSIFICATIONS],
      canonical: CLASSIFICATIONS,
      keptAsIs: ["unknownFutureValue"],
    },
    determination: {
      values: [...GRAPH_DETERMINATIONS, ...XDR_DETERMINATIONS, ...MDE_DETERMINATIONS],
      canonical: DETERMINATIONS,
      keptAsIs: ["unknownFutureValue"],
    },
  };
  for (const [field, { values, canonical, keptAsIs }] of Object.entries(documented) as [EnumField, (typeof documented)[EnumField]][]) {
    test(`${field}: every documented spelling in either casing is canonical`, () => {
      for (const v of values) {
        const out = [v, pascal(v), camel(v), v.toUpperCase(), v.toLowerCase()].map((x) => canonicalValue(field, x));
        assert.equal(new Set(out).size, 1, `${v} → ${out.join(", ")}`);
        assert.ok(canonical.includes(out[0]!) || keptAsIs.includes(out[0]!), `${field} ${v} → ${out[0]}`);
      }
    });
  }

  test("the Graph docs' PascalCase examples and their camelCase resource values agree", () => {
    assert.equal(canonicalValue("severity", "Medium"), "medium");
    assert.equal(canonicalValue("incidentStatus", "Active"), "active");
    assert.equal(canonicalValue("incidentStatus", "InProgress"), "inProgress");
    assert.equal(canonicalValue("classification", "TruePositive"), "truePositive");
    assert.equal(canonicalValue("severity", "UnSpecified"), "unknown");
  });

  test("determination synonyms map to one value with one label", () => {
    const groups = [
      ["MultiStagedAttack", "multiStagedAttack"],
      ["Malware", "malware"],
      ["SecurityTesting", "securityTesting"],
      ["UnwantedSoftware", "unwantedSoftware"],
      ["Other", "other"],
      ["NotMalicious", "notMalicious", "Clean", "clean"],
      ["ConfirmedActivity", "ConfirmedUserActivity", "confirmedActivity", "confirmedUserActivity"],
      ["LineOfBusinessApplication", "lineOfBusinessApplication"],
      ["CompromisedAccount", "compromisedAccount", "CompromisedUser", "compromisedUser"],
      ["NoEnoughDataToValidate", "notEnoughDataToValidate", "InsufficientData", "insufficientData"],
      ["NotAvailable", "notAvailable", "unknown", "Unknown"],
    ];
    const seen = new Set<string>();
    for (const g of groups) {
      const out = new Set(g.map((v) => canonicalValue("determination", v)));
      assert.equal(out.size, 1, `${g.join("/")} → ${[...out].join(", ")}`);
      const value = [...out][0]!;
      assert.ok(!seen.has(value), `${value} is one group's`);
      seen.add(value);
      assert.ok(LABELS[value], `${value} has a label`);
    }
    assert.equal(label(canonicalValue("determination", "CompromisedAccount")), "Compromised account");
    assert.equal(label(canonicalValue("determination", "notMalicious")), "Not malicious");
    // Every canonical value has exactly one label, and no two canonical determinations share one.
    const labels = DETERMINATIONS.map((d) => LABELS[d]);
    assert.ok(labels.every(Boolean));
    assert.equal(new Set(labels).size, labels.length);
  });

  test("unknown values are kept lower-camel, never dropped; a megabyte one is cut", () => {
    assert.equal(canonicalValue("incidentStatus", "AwaitingCustomerAction"), "awaitingCustomerAction");
    assert.equal(canonicalValue("severity", "critical"), "critical");
    assert.equal(canonicalValue("determination", null), null);
    assert.equal(canonicalValue("determination", ""), null);
    const huge = canonicalValue("alertStatus", "S".repeat(1_048_576))!;
    assert.equal(huge.length, LIMITS.enumValue);
    assert.equal(splitCut(huge).cut, 1_048_576 - splitCut(huge).text.length);
  });

  test("tags: every spelling merged, duplicates and blanks dropped, order kept", () => {
    assert.deepEqual(mergeTags(["Demo", "x"], ["Demo", "y", ""], undefined, null, ["x", "system"]), ["Demo", "x", "y", "system"]);
  });
});

describe("ingest bounds", () => {
  test("text within its limit is kept; longer text is cut to the limit with a marker saying how much", () => {
    assert.equal(capText("short", 10), "short");
    assert.equal(capText("x".repeat(1000), 1000), "x".repeat(1000));
    const cut = capText("y".repeat(1_048_576), LIMITS.title);
    assert.equal(cut.length, LIMITS.title);
    assert.match(cut, /… \[cut: \d+ characters\]$/);
    const { text, cut: n } = splitCut(cut);
    assert.equal(text.length + n!, 1_048_576);
    assert.equal(capText(cut, LIMITS.title), cut, "cutting again changes nothing");
    assert.deepEqual(splitCut("plain"), { text: "plain", cut: null });
  });

  test("a surrogate pair is never split", () => {
    const emoji = "😀".repeat(2000);
    const cut = capText(emoji, 1001);
    const { text } = splitCut(cut);
    assert.ok(!/[\ud800-\udbff]$/.test(text), "no lone high surrogate at the end");
    assert.doesNotThrow(() => encodeURIComponent(text));
  });

  test("payload strings are cut by kind: comments, command lines, everything else, keys too", () => {
    const big = "z".repeat(100_000);
    const out = boundPayload({
      comments: [{ comment: big, createdBy: big }],
      evidence: [{ fields: { processCommandLine: big, "parentProcess.commandLine": big, filePath: big, [big]: "k" } }],
      count: 3,
      flag: true,
      none: null,
    });
    assert.equal(out.comments[0]!.comment.length, LIMITS.comment);
    assert.equal(out.comments[0]!.createdBy.length, LIMITS.string);
    const fields = out.evidence[0]!.fields as Record<string, string>;
    assert.equal(fields.processCommandLine!.length, LIMITS.commandLine);
    assert.equal(fields["parentProcess.commandLine"]!.length, LIMITS.commandLine);
    assert.equal(fields.filePath!.length, LIMITS.string);
    assert.ok(Object.keys(fields).every((k) => k.length <= LIMITS.key));
    assert.deepEqual([out.count, out.flag, out.none], [3, true, null]);
    assert.ok(JSON.stringify(out).length < 200_000);
  });

  test("an incident's title, tags and its alerts' titles are bounded", () => {
    const big = "t".repeat(1_048_576);
    const alert = {
      sourceId: "a",
      incidentSourceId: "1",
      title: big,
      severity: "high",
      status: "new",
      category: null,
      serviceSource: null,
      detectionSource: null,
      classification: null,
      determination: null,
      assignedTo: null,
      createdTime: new Date(),
      lastUpdateTime: new Date(),
      payload: { description: big },
    };
    const i = boundIncident({
      sourceId: "1",
      title: big,
      severity: "high",
      status: "active",
      classification: null,
      determination: null,
      assignedTo: big,
      tags: [big, big, "ok"],
      alertCount: 1,
      createdTime: new Date(),
      lastUpdateTime: new Date(),
      webUrl: null,
      payload: { comments: [] },
      alerts: [alert],
    });
    assert.equal(i.title.length, LIMITS.title);
    assert.equal(i.alerts[0]!.title.length, LIMITS.title);
    assert.equal((i.alerts[0]!.payload as { description: string }).description.length, LIMITS.string);
    assert.deepEqual(
      i.tags.map((t) => t.length),
      [LIMITS.tag, 2],
    );
    assert.equal(i.assignedTo!.length, LIMITS.tag);
  });
});

test("JSON for PostgreSQL: U+0000 becomes U+FFFD, a literal backslash-u0000 text stays as it was", async () => {
  const { jsonForPostgres } = await import("../../lib/sync/model.ts");
  const value = { title: "x\u0000y", ["key\u0000"]: "\\u0000 typed by a person", odd: "\\\u0000", even: "\\\\u0000", clean: "nothing to do" };
  assert.deepEqual(JSON.parse(jsonForPostgres(value)), {
    title: "x\uFFFDy",
    ["key\uFFFD"]: "\\u0000 typed by a person",
    odd: "\\\uFFFD",
    even: "\\\\u0000",
    clean: "nothing to do",
  });
  assert.equal(jsonForPostgres({ a: "plain" }), '{"a":"plain"}');
});
