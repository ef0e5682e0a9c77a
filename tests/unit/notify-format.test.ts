import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { escapeCardMarkdown, formatEmail, formatTeamsCard, formatWebhook } from "../../lib/notify/format.ts";
import type { NotifyItem } from "../../lib/notify/model.ts";
import { backoffMs, digestWindowEnd, quietUntil } from "../../lib/notify/schedule.ts";
import { sign, verify } from "../../lib/notify/signature.ts";
import { parseRetryAfter } from "../../lib/notify/http-post.ts";

/** Tenant text is hostile: in every format it must stay text (issue 10, "Tests and docs"). */
const HOSTILE = `<img src=x onerror=alert(1)><script>alert(2)</script> [click me](https://evil.example/p) **bold** www.evil.example\r\nBcc: victim@example.com`;
const item: NotifyItem = {
  kind: "incident.created",
  occurredAt: new Date("2026-12-01T10:00:00Z"),
  customer: { id: "c1", name: `Fabrikam <b>"&'</b>` },
  incident: { id: "i1", sourceId: "42", title: HOSTILE, severity: "high", status: "active", assignedTo: "[x](javascript:alert(1))" },
  detail: {},
};

describe("hostile tenant text is inert", () => {
  test("e-mail: HTML escaped, the subject a single line, the text part plain", () => {
    const m = formatEmail([item], "https://portal.example");
    assert.ok(!/<img|<script|<b>/i.test(m.html), m.html);
    assert.match(m.html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(m.html, /Fabrikam &lt;b&gt;&quot;&amp;&#39;&lt;\/b&gt;/);
    assert.ok(!/[\r\n]/.test(m.subject), "no header injection through the subject");
    assert.match(m.text, /\[click me\]\(https:\/\/evil\.example\/p\)/, "the text part keeps the text as it is");
    assert.ok(!m.text.includes("\r\nBcc:"));
    // The only link is the portal's own.
    assert.deepEqual(
      [...m.html.matchAll(/href="([^"]+)"/g)].map((x) => x[1]),
      ["https://portal.example/incidents/i1"],
    );
  });

  test("Teams card: markdown and links escaped, URLs defanged, the only action the portal's", () => {
    const card = formatTeamsCard([item], "https://portal.example") as {
      attachments: { content: { body: { text?: string; facts?: { value: string }[] }[]; actions: { url: string }[] } }[];
    };
    const content = card.attachments[0]!.content;
    const texts = content.body.flatMap((b) => [b.text ?? "", ...(b.facts ?? []).map((f) => f.value)]).join("\n");
    assert.ok(!/(^|[^\\])\[click me/.test(texts), texts);
    assert.ok(!texts.includes("](https://"), "no markdown link survives");
    assert.ok(!texts.includes("https://evil"), "no bare URL for Teams to link");
    assert.ok(!/(^|[^\\])\*\*bold/.test(texts));
    assert.ok(!/[\r\n]Bcc/.test(texts));
    assert.deepEqual(
      content.actions.map((a) => a.url),
      ["https://portal.example/incidents/i1"],
    );
    assert.equal(escapeCardMarkdown("a_b*c"), "a\\_b\\*c");
  });

  test("webhook JSON: the title round-trips exactly, as data", () => {
    const body = JSON.stringify(formatWebhook("d1", "incident.created", [item], "https://portal.example"));
    const parsed = JSON.parse(body) as { version: string; events: { incident: { title: string } }[] };
    assert.equal(parsed.version, "1");
    assert.equal(parsed.events[0]!.incident.title, HOSTILE);
  });
});

describe("device response actions (device.action) are announced with the device's hostile name inert", () => {
  const deviceItem = (phase: "submitted" | "final", status: string): NotifyItem => ({
    kind: "device.action",
    occurredAt: new Date("2026-12-01T10:05:00Z"),
    customer: { id: "c1", name: "Fabrikam" },
    incident: { id: "i1", sourceId: "42", title: "Ransomware", severity: "high", status: "active", assignedTo: null },
    detail: {
      deviceActionId: "a1",
      phase,
      status,
      type: "Isolate",
      options: { IsolationType: "Selective" },
      machineId: "f".repeat(40),
      deviceName: HOSTILE,
      comment: "Isolating [now](https://evil.example/c) <b>x</b>",
      requestedByEmail: "ari@contoso.example",
    },
  });

  test("e-mail: subject one line naming action and state, device and comment escaped, the only link the portal's", () => {
    const sent = formatEmail([deviceItem("submitted", "Pending")], "https://portal.example");
    assert.match(sent.subject, /^Isolate \(Selective\) sent: /);
    assert.ok(!/[\r\n]/.test(sent.subject));
    const done = formatEmail([deviceItem("final", "Succeeded")], "https://portal.example");
    assert.match(done.subject, /^Isolate \(Selective\) Succeeded: /);
    for (const m of [sent, done]) {
      assert.ok(!/<img|<script|<b>/i.test(m.html), m.html);
      assert.match(m.html, /<th align="left">Device<\/th><td>&lt;img src=x/);
      assert.match(m.html, /ari@contoso\.example/);
      assert.match(m.text, /Comment: Isolating \[now\]/);
      assert.ok(!m.text.includes("\r\nBcc:"));
      assert.deepEqual(
        [...m.html.matchAll(/href="([^"]+)"/g)].map((x) => x[1]),
        ["https://portal.example/incidents/i1"],
      );
    }
  });

  test("Teams card: the device and the comment are escaped and defanged", () => {
    const card = formatTeamsCard([deviceItem("final", "Failed")], "https://portal.example") as {
      attachments: { content: { body: { text?: string; facts?: { title: string; value: string }[] }[]; actions: { url: string }[] } }[];
    };
    const content = card.attachments[0]!.content;
    const facts = content.body.flatMap((b) => b.facts ?? []);
    assert.deepEqual(
      facts.map((f) => f.title),
      ["Customer", "Device", "Action", "Status", "Asked by", "Comment", "Incident", "Severity", "Incident status"],
    );
    const texts = content.body.flatMap((b) => [b.text ?? "", ...(b.facts ?? []).map((f) => f.value)]).join("\n");
    assert.ok(!texts.includes("](https://"), "no markdown link survives");
    assert.ok(!texts.includes("https://evil"), "no bare URL for Teams to link");
    assert.ok(!/(^|[^\\])\*\*bold/.test(texts));
    assert.deepEqual(
      content.actions.map((a) => a.url),
      ["https://portal.example/incidents/i1"],
    );
  });

  test("webhook JSON: the event's detail as data (device name round-trips exactly)", () => {
    const parsed = JSON.parse(JSON.stringify(formatWebhook("d1", "device.action", [deviceItem("final", "Cancelled")], "https://portal.example"))) as {
      events: { kind: string; detail: { deviceName: string; status: string; phase: string } }[];
    };
    assert.equal(parsed.events[0]!.kind, "device.action");
    assert.equal(parsed.events[0]!.detail.deviceName, HOSTILE);
    assert.equal(parsed.events[0]!.detail.status, "Cancelled");
    assert.equal(parsed.events[0]!.detail.phase, "final");
  });
});

describe("signature, schedule, Retry-After", () => {
  test("sign/verify: v1 HMAC over timestamp.body; a stale timestamp or another body fails", () => {
    const s = sign("whsec_test", 1_700_000_000, "{}");
    assert.match(s, /^v1=[0-9a-f]{64}$/);
    assert.ok(verify("whsec_test", "1700000000", "{}", s, 1_700_000_100));
    assert.ok(!verify("whsec_test", "1700000000", "{ }", s, 1_700_000_100));
    assert.ok(!verify("whsec_test", "1700000000", "{}", s, 1_700_001_000), "older than 5 minutes: replay");
  });

  test("quiet hours wrap midnight in the rule's time zone, and end when they say", () => {
    // 23:30 in Amsterdam (UTC+1 in December) = 22:30Z.
    const at = new Date("2026-12-01T22:30:00Z");
    const until = quietUntil(at, { start: "22:00", end: "07:00", timeZone: "Europe/Amsterdam" });
    assert.equal(until?.toISOString(), "2026-12-02T06:00:00.000Z");
    assert.equal(quietUntil(new Date("2026-12-02T12:00:00Z"), { start: "22:00", end: "07:00", timeZone: "Europe/Amsterdam" }), null);
    assert.equal(quietUntil(at, { start: null, end: null, timeZone: "UTC" }), null);
    // Spring forward inside the window (Amsterdam, 2027-03-28 02:00 → 03:00): 07:00 local is 05:00Z, not an hour late.
    assert.equal(
      quietUntil(new Date("2027-03-27T23:00:00Z"), { start: "22:00", end: "07:00", timeZone: "Europe/Amsterdam" })?.toISOString(),
      "2027-03-28T05:00:00.000Z",
    );
  });

  test("digest windows align for every worker; backoff grows and is capped; Retry-After seconds and dates", () => {
    assert.equal(digestWindowEnd(new Date("2026-12-01T10:07:00Z"), 15).toISOString(), "2026-12-01T10:15:00.000Z");
    assert.equal(
      backoffMs(1, 1000, 60_000, () => 1),
      1000,
    );
    assert.equal(
      backoffMs(4, 1000, 60_000, () => 1),
      8000,
    );
    assert.equal(
      backoffMs(20, 1000, 60_000, () => 1),
      60_000,
    );
    assert.equal(parseRetryAfter("7"), 7000);
    assert.equal(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())! > 8000, true);
    assert.equal(parseRetryAfter("soon"), null);
  });
});
