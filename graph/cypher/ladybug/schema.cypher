// The graph model of docs/DESIGN.md as LadybugDB tables (typed schema, one label per node).
// Run part by part on every open; IF NOT EXISTS makes it idempotent.
CREATE NODE TABLE IF NOT EXISTS Region(code STRING PRIMARY KEY, name STRING, level STRING)
;
CREATE NODE TABLE IF NOT EXISTS Institution(id STRING PRIMARY KEY, name STRING, tier STRING, ownership STRING, kind STRING, aliases STRING[], region STRING, allianceIds STRING[])
;
// schema version 3: stores created before it get the column here (filled by institution.alliances_all)
ALTER TABLE Institution ADD IF NOT EXISTS allianceIds STRING[]
;
CREATE NODE TABLE IF NOT EXISTS Alliance(id STRING PRIMARY KEY, kind STRING, name STRING)
;
CREATE NODE TABLE IF NOT EXISTS Catalog(id STRING PRIMARY KEY, name STRING, source STRING, clause STRING, itemCount INT64)
;
CREATE NODE TABLE IF NOT EXISTS CatalogItem(ref STRING PRIMARY KEY, catalog STRING, local STRING, row INT64, name STRING, modality STRING, bodyPart STRING, laterality STRING, contrast STRING, views STRING, source STRING, printed STRING, note STRING)
;
CREATE NODE TABLE IF NOT EXISTS Mark(id STRING PRIMARY KEY, institution STRING, item STRING, scope STRING, validFrom DATE, validTo DATE)
;
CREATE NODE TABLE IF NOT EXISTS MarkSet(key STRING PRIMARY KEY, marks STRING[])
;
CREATE NODE TABLE IF NOT EXISTS Policy(id STRING PRIMARY KEY, title STRING, source STRING)
;
CREATE NODE TABLE IF NOT EXISTS Meta(key STRING PRIMARY KEY, value STRING)
;
CREATE REL TABLE IF NOT EXISTS PART_OF(FROM Region TO Region)
;
CREATE REL TABLE IF NOT EXISTS LOCATED_IN(FROM Institution TO Region)
;
CREATE REL TABLE IF NOT EXISTS MEMBER_OF(FROM Institution TO Alliance)
;
CREATE REL TABLE IF NOT EXISTS IN_CATALOG(FROM CatalogItem TO Catalog)
;
CREATE REL TABLE IF NOT EXISTS HOLDS(FROM Institution TO Mark)
;
CREATE REL TABLE IF NOT EXISTS FOR_ITEM(FROM Mark TO CatalogItem)
;
CREATE REL TABLE IF NOT EXISTS VALID_IN(FROM Mark TO Region)
;
CREATE REL TABLE IF NOT EXISTS GOVERNS(FROM Policy TO Region)
;
CREATE REL TABLE IF NOT EXISTS USES(FROM Policy TO Catalog)
;
// The act of recognition (CONTRACT.md; docs/DESIGN.md "Reminders and decisions"): patients only as keyed
// pseudonyms.  New tables, no migration: an older store gets them on its next open (IF NOT EXISTS).
CREATE NODE TABLE IF NOT EXISTS Patient(pseudonym STRING PRIMARY KEY, keyId STRING)
;
CREATE NODE TABLE IF NOT EXISTS Reminder(id STRING PRIMARY KEY, patient STRING, keyId STRING, at STRING, atRegion STRING, atScopes STRING[], orderedItem STRING, platform STRING, studyUid STRING, performedOn DATE, modality STRING, description STRING, dicomInstitutionName STRING, institution STRING, institutionName STRING, institutionRegion STRING, item STRING, findings STRING, verdict STRING, policy STRING, issuedOn DATE, issuedAt STRING, lastOn DATE, viewed BOOLEAN, viewedAt STRING, decisionId STRING, decision STRING, decisionVerdict STRING, decisionExclusion STRING, diagnosisConsistent BOOLEAN, decidedAt STRING)
;
CREATE NODE TABLE IF NOT EXISTS Decision(id STRING PRIMARY KEY, reminder STRING, patient STRING, at STRING, decision STRING, reason STRING, exclusion STRING, exclusionClause STRING, patientInformed BOOLEAN, archiveNo STRING, diagnosisConsistent BOOLEAN, institutionName STRING, performedOn DATE, verdict STRING, citation STRING, orderedItem STRING, platform STRING, studyUid STRING, item STRING, byUser STRING, byRole STRING, byInstitution STRING, recordedAt STRING, recordedOn DATE, current BOOLEAN)
;
CREATE REL TABLE IF NOT EXISTS REMINDED(FROM Patient TO Reminder)
;
CREATE REL TABLE IF NOT EXISTS DECIDED(FROM Reminder TO Decision)
