-- Issue #9, "faithful normalization": rows stored before lib/sync/canonical.ts kept each API's spelling (a PascalCase
-- Graph incident stored as 'Medium' was invisible to the severity filter). Rewrite severity, status, classification
-- and determination of every incident and alert to the canonical value, and cut titles longer than the ingest limit
-- (lib/sync/caps.ts LIMITS.title) with the same marker. This is the TypeScript normalizer's mapping, spelled in SQL:
-- tests/unit/canonical-migration.test.ts runs this migration over rows in every spelling and compares each result with
-- lib/sync/canonical.ts, so the two cannot drift. (Payload JSON is bounded at the next sync of the row.)

-- capText(): the start of the text plus "… [cut: N characters]", max characters in all.
CREATE FUNCTION pg_temp.cap_text(v text, max int) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  keep int;
BEGIN
  IF v IS NULL OR length(v) <= max THEN RETURN v; END IF;
  keep := max - length('… [cut: ' || length(v) || ' characters]');
  keep := max - length('… [cut: ' || (length(v) - keep) || ' characters]');
  RETURN left(v, keep) || '… [cut: ' || (length(v) - keep) || ' characters]';
END
$$;

-- canonicalValue(): documented spellings (ASCII letters, any casing) → canonical; anything else lower-camel, cut at 100.
CREATE FUNCTION pg_temp.canonical(field text, v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN v IS NULL OR v = '' THEN NULL
    ELSE COALESCE(
      (SELECT m.canonical FROM (VALUES
      ('severity', 'high', 'high'),
      ('severity', 'medium', 'medium'),
      ('severity', 'low', 'low'),
      ('severity', 'informational', 'informational'),
      ('severity', 'unknown', 'unknown'),
      ('severity', 'unknownfuturevalue', 'unknownFutureValue'),
      ('severity', 'unspecified', 'unknown'),
      ('incidentStatus', 'active', 'active'),
      ('incidentStatus', 'inprogress', 'inProgress'),
      ('incidentStatus', 'resolved', 'resolved'),
      ('incidentStatus', 'redirected', 'redirected'),
      ('incidentStatus', 'unknownfuturevalue', 'unknownFutureValue'),
      ('incidentStatus', 'awaitingaction', 'awaitingAction'),
      ('alertStatus', 'new', 'new'),
      ('alertStatus', 'inprogress', 'inProgress'),
      ('alertStatus', 'resolved', 'resolved'),
      ('alertStatus', 'unknown', 'unknown'),
      ('alertStatus', 'unknownfuturevalue', 'unknownFutureValue'),
      ('alertStatus', 'active', 'active'),
      ('classification', 'unknown', 'unknown'),
      ('classification', 'truepositive', 'truePositive'),
      ('classification', 'falsepositive', 'falsePositive'),
      ('classification', 'informationalexpectedactivity', 'informationalExpectedActivity'),
      ('classification', 'unknownfuturevalue', 'unknownFutureValue'),
      ('determination', 'unknown', 'unknown'),
      ('determination', 'multistagedattack', 'multiStagedAttack'),
      ('determination', 'malicioususeractivity', 'maliciousUserActivity'),
      ('determination', 'compromiseduser', 'compromisedUser'),
      ('determination', 'malware', 'malware'),
      ('determination', 'phishing', 'phishing'),
      ('determination', 'unwantedsoftware', 'unwantedSoftware'),
      ('determination', 'apt', 'apt'),
      ('determination', 'securitypersonnel', 'securityPersonnel'),
      ('determination', 'securitytesting', 'securityTesting'),
      ('determination', 'lineofbusinessapplication', 'lineOfBusinessApplication'),
      ('determination', 'confirmeduseractivity', 'confirmedUserActivity'),
      ('determination', 'clean', 'clean'),
      ('determination', 'insufficientdata', 'insufficientData'),
      ('determination', 'other', 'other'),
      ('determination', 'unknownfuturevalue', 'unknownFutureValue'),
      ('determination', 'notavailable', 'unknown'),
      ('determination', 'compromisedaccount', 'compromisedUser'),
      ('determination', 'notmalicious', 'clean'),
      ('determination', 'notenoughdatatovalidate', 'insufficientData'),
      ('determination', 'noenoughdatatovalidate', 'insufficientData'),
      ('determination', 'confirmedactivity', 'confirmedUserActivity')
      ) AS m(field, spelling, canonical)
      WHERE m.field = canonical.field AND m.spelling = lower(v) AND v ~ '^[A-Za-z]+$'),
      pg_temp.cap_text(CASE WHEN v ~ '^[A-Z]' THEN lower(left(v, 1)) || substr(v, 2) ELSE v END, 100))
  END
$$;

UPDATE "Incident" AS i SET
  severity = x.severity, status = x.status, classification = x.classification, determination = x.determination, title = x.title
FROM (
  SELECT id,
    COALESCE(pg_temp.canonical('severity', severity), 'unknown') AS severity,
    COALESCE(pg_temp.canonical('incidentStatus', status), 'active') AS status,
    pg_temp.canonical('classification', classification) AS classification,
    pg_temp.canonical('determination', determination) AS determination,
    pg_temp.cap_text(title, 1000) AS title
  FROM "Incident"
) AS x
WHERE i.id = x.id
  AND (i.severity, i.status, i.classification, i.determination, i.title)
      IS DISTINCT FROM (x.severity, x.status, x.classification, x.determination, x.title);

UPDATE "Alert" AS a SET
  severity = x.severity, status = x.status, classification = x.classification, determination = x.determination, title = x.title
FROM (
  SELECT id,
    COALESCE(pg_temp.canonical('severity', severity), 'unknown') AS severity,
    COALESCE(pg_temp.canonical('alertStatus', status), 'unknown') AS status,
    pg_temp.canonical('classification', classification) AS classification,
    pg_temp.canonical('determination', determination) AS determination,
    pg_temp.cap_text(title, 1000) AS title
  FROM "Alert"
) AS x
WHERE a.id = x.id
  AND (a.severity, a.status, a.classification, a.determination, a.title)
      IS DISTINCT FROM (x.severity, x.status, x.classification, x.determination, x.title);

DROP FUNCTION pg_temp.canonical(text, text);
DROP FUNCTION pg_temp.cap_text(text, int);
