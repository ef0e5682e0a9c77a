// The SQL migration that rewrites stored rows to canonical values agrees with the TypeScript normalizer
// (lib/shared/canonical.ts, lib/shared/caps.ts) for every spelling the normalizer knows, in every casing, and for unknown,
// empty and huge values: rows are stored the old way, the migration runs, each row is compared with the TS result.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { capText, LIMITS } from "../../lib/shared/caps.ts";
import {
  ALERT_STATUSES,
  canonicalAlertStatus,
  canonicalClassification,
  canonicalDetermination,
  canonicalIncidentStatus,
  canonicalSeverity,
  CLASSIFICATIONS,
  DETERMINATIONS,
  INCIDENT_STATUSES,
  OTHER_MEMBERS,
  SEVERITIES,
  SYNONYMS,
  type EnumField,
} from "../../lib/shared/canonical.ts";
import { createEmptyDatabase } from "../support/db.ts";

const MIGRATION = "20261201030000_canonical_values";
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let client: pg.Client;

before(async () => {
  database = await createEmptyDatabase("canon");
  // Every migration before this one, from a copy of the folder.
  const dir = mkdtempSync(join(tmpdir(), "migrations-"));
  try {
    for (const m of readMigrations("prisma/migrations").filter((m) => m.name < MIGRATION))
      cpSync(join("prisma/migrations", m.name), join(dir, m.name), { recursive: true });
    await migrate(database.url, { dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
after(async () => {
  await client?.end();
  await database?.drop();
});

/** Every spelling the normalizer knows for a field, in the casings Microsoft's pages use and a few they do not. */
function spellings(field: EnumField, canonical: readonly string[]): string[] {
  const words = [...canonical, ...OTHER_MEMBERS[field], ...Object.keys(SYNONYMS[field])];
  const out = new Set<string>();
  for (const w of words) for (const v of [w, w.charAt(0).toUpperCase() + w.slice(1), w.toLowerCase(), w.toUpperCase()]) out.add(v);
  // Unknown values: kept lower-camel; odd characters; a non-ASCII near-miss; too long for an enum.
  for (const v of ["SomethingNew", "somethingNew", "Two Words", "ÄÖÜ", "Unknown_Value", "ınProgress", `X${"y".repeat(500)}`]) out.add(v);
  return [...out];
}

test("the migration stores what the TypeScript normalizer would, for every spelling", async () => {
  const customerId = await insertCustomer();
  const fields: [EnumField, readonly string[]][] = [
    ["severity", SEVERITIES],
    ["incidentStatus", INCIDENT_STATUSES],
    ["alertStatus", ALERT_STATUSES],
    ["classification", CLASSIFICATIONS],
    ["determination", DETERMINATIONS],
  ];
  const values = [...new Set(fields.flatMap(([f, c]) => spellings(f, c)))];
  const longTitle = "T".repeat(LIMITS.title + 5_000);
  const titles = ["A title", "x".repeat(LIMITS.title), longTitle];
  // Rows as stored before: one incident and one alert per spelling (XDR/MDE PascalCase, Graph camelCase, unknown,
  // empty), the spelling in every enum column.
  let n = 0;
  const expected = new Map<string, Record<string, string | null>>();
  for (const v of [...values, ""]) {
    const title = titles[n % titles.length]!;
    const incidentId = randomUUID();
    const alertId = randomUUID();
    await client.query(
      `INSERT INTO "Incident" (id, "customerId", source, "sourceId", title, severity, status, classification, determination, "createdTime", "lastUpdateTime", payload, "syncedAt")
       VALUES ($1, $2, 'graph', $3, $4, $5, $5, $5, $5, now(), now(), '{}', now())`,
      [incidentId, customerId, `i${n}`, title, v],
    );
    await client.query(
      `INSERT INTO "Alert" (id, "customerId", source, "sourceId", title, severity, status, classification, determination, "createdTime", "lastUpdateTime", payload, "syncedAt")
       VALUES ($1, $2, 'graph', $3, $4, $5, $5, $5, $5, now(), now(), '{}', now())`,
      [alertId, customerId, `a${n}`, title, v],
    );
    expected.set(incidentId, {
      severity: canonicalSeverity(v),
      status: canonicalIncidentStatus(v),
      classification: canonicalClassification(v),
      determination: canonicalDetermination(v),
      title: capText(title, LIMITS.title),
    });
    expected.set(alertId, {
      severity: canonicalSeverity(v),
      status: canonicalAlertStatus(v),
      classification: canonicalClassification(v),
      determination: canonicalDetermination(v),
      title: capText(title, LIMITS.title),
    });
    n++;
  }
  const { applied } = await migrate(database.url);
  assert.deepEqual(applied, [
    MIGRATION,
    ...readMigrations("prisma/migrations")
      .map((m) => m.name)
      .filter((m) => m > MIGRATION),
  ]);

  const { rows } = await client.query(
    `SELECT id, severity, status, classification, determination, title FROM "Incident" UNION ALL SELECT id, severity, status, classification, determination, title FROM "Alert"`,
  );
  assert.equal(rows.length, expected.size);
  let mismatches = 0;
  for (const r of rows) {
    const want = expected.get(r.id)!;
    for (const k of Object.keys(want)) {
      if (r[k] !== want[k]) {
        mismatches++;
        assert.equal(r[k], want[k], `${k}: SQL gave ${JSON.stringify(r[k])?.slice(0, 80)}, TypeScript ${JSON.stringify(want[k])?.slice(0, 80)}`);
      }
    }
  }
  assert.equal(mismatches, 0);
  // And the point of it: a PascalCase 'Medium' row is found by the filter's canonical value.
  const { rows: medium } = await client.query(`SELECT count(*)::int AS n FROM "Incident" WHERE severity = 'medium'`);
  assert.equal(medium[0].n, 3, "medium, Medium and MEDIUM all read 'medium'");
  const { rows: cut } = await client.query(`SELECT title FROM "Incident" WHERE title LIKE '%… [cut: %'`);
  assert.ok(cut.length > 0 && cut.every((r) => r.title.length === LIMITS.title));
});

async function insertCustomer(): Promise<string> {
  const partnerId = randomUUID();
  const customerId = randomUUID();
  await client.query(`INSERT INTO "Partner" (id, name, "entraTenantId") VALUES ($1, 'Partner', $2)`, [partnerId, randomUUID()]);
  await client.query(`INSERT INTO "Customer" (id, "partnerId", "displayName", region, "updatedAt") VALUES ($1, $2, 'Customer', 'eu', now())`, [
    customerId,
    partnerId,
  ]);
  return customerId;
}
