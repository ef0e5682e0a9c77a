import assert from "node:assert/strict";
import { test } from "node:test";
import { alertRowsHtml, incidentRowsHtml } from "../../components/incidents/queue-rows-html.ts";
import type { AlertRowView, IncidentRowView } from "../../components/incidents/queue-rows.ts";

// The incident queue's rows are written as markup, not React elements (issue #12 §1): tenant text must stay text.
const row = (over: Partial<IncidentRowView> = {}): IncidentRowView => ({
  id: "0b6f2b1e-7d1c-4a55-9a8e-3f1f9c1d2e3a",
  no: "42",
  title: "Suspicious sign-in",
  severity: "high",
  status: "active",
  customer: "Contoso",
  alerts: 3,
  updated: 29_000_000,
  slaState: "none",
  ...over,
});

test("hostile tenant text is escaped in content and in attributes", () => {
  const html = incidentRowsHtml([
    row({
      title: `<script>alert(1)</script><img src=x onerror="alert(2)">`,
      customer: `Fabrikam & "Sons" <b>`,
      assignedTo: `'><svg onload=alert(3)>`,
      no: `1" onmouseover="alert(4)`,
      suppressedBy: "<i>eve</i>",
      suppressedNote: `" onfocus="alert(5)" x="`,
      slaState: "breached",
      slaDue: 29_000_100,
      slaClock: "<u>ack</u>",
      slaLeft: "<b>2h</b>",
    }),
  ]);
  for (const raw of ["<script>", "<img", "<svg", "<b>", "<i>", "<u>", '" onmouseover', '" onfocus', "'>"]) assert.equal(html.includes(raw), false, raw);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=&quot;alert\(2\)&quot;&gt;/);
  assert.match(html, /Fabrikam &amp; &quot;Sons&quot; &lt;b&gt;/);
  assert.match(html, /aria-label="Select incident #1&quot; onmouseover=&quot;alert\(4\)"/);
  assert.match(html, /title="&quot; onfocus=&quot;alert\(5\)&quot; x=&quot;"/);
  assert.match(html, /Breached &lt;b&gt;2h&lt;\/b&gt; ago/);
});

test("control and bidi characters are shown, not obeyed; long and cut text say so", () => {
  const html = incidentRowsHtml([row({ title: `bidi\u202Eevil\u0007bell${"x".repeat(300)}`, customer: `Big… [cut: 1234 characters]` })]);
  assert.match(html, /bidi&lt;U\+202E&gt;evil\u2407bell/);
  assert.match(html, /more characters not shown/);
  assert.match(html, /data-testid="cut-at-ingest">\[cut when stored: 1,234 characters dropped\]/);
});

test("cells: empty values, classification, SLA states and the no-rows row", () => {
  const html = incidentRowsHtml([row({ status: "resolved", classification: "truePositive", determination: "malware", slaState: "met" })]);
  assert.match(html, /<td class="dim">Resolved<\/td>/);
  assert.match(html, /<td><span class="muted">—<\/span><\/td>/); // no assignee
  assert.match(html, /<td>True positive<div>Malware<\/div><\/td>/);
  assert.match(html, /<span class="sla-met">Met<\/span>/);
  assert.match(html, /<a href="\/incidents\/0b6f2b1e-7d1c-4a55-9a8e-3f1f9c1d2e3a">Suspicious sign-in<\/a><div>#42<\/div>/);
  assert.equal((html.match(/<td/g) ?? []).length, 11);
  assert.match(incidentRowsHtml([]), /colspan="11"[^>]*>No incidents match these filters\./);
});

test("alert rows: hostile text escaped, empty values a dash, the no-rows row", () => {
  const alert: AlertRowView = {
    id: "5e1d2c3b-1111-4222-8333-944455556666",
    title: `<img src=x onerror="alert(1)">`,
    category: `"><script>alert(2)</script>`,
    severity: "medium",
    status: "new",
    customer: "Contoso & <Co>",
    updated: 29_000_000,
  };
  const html = alertRowsHtml([alert]);
  for (const raw of ["<img", "<script>", "<Co>"]) assert.equal(html.includes(raw), false, raw);
  assert.match(html, /^<tr data-testid="alert-row">/);
  assert.match(html, /<div class="sub txt">&quot;&gt;&lt;script&gt;alert\(2\)&lt;\/script&gt;<\/div>/);
  assert.match(html, /<a href="\/alerts\/5e1d2c3b-1111-4222-8333-944455556666" class="link txt">&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;<\/a>/);
  assert.match(html, /<td class="xs txt"><span class="muted">—<\/span><\/td>/);
  assert.match(html, /<td class="nw">2025-02-19 21:20 UTC<\/td>/);
  assert.match(alertRowsHtml([]), /colspan="7"[^>]*>No alerts match these filters\./);
});
