// $rows: [{id, patient, keyId, at, atRegion, atScopes, orderedItem, platform, studyUid, performedOn, modality,
//          description, dicomInstitutionName, institution, institutionName, institutionRegion, item, findings,
//          verdict, policy, issuedOn, issuedAt}] — one row per reminder given (new, or changed since it was
//          stored).  `issuedOn` is the day asked (`on`), `issuedAt` the hub's clock (ISO 8601 UTC).
// What a reminder first was (who, where, which study and ordered item, when first issued) is set once; what
// the latest question saw (verdict, policy, findings, the day) is kept current.  `patient` is a pseudonym.
UNWIND $rows AS row
WITH row, row.patient AS pkey
MERGE (p:Patient {pseudonym: pkey})
ON CREATE SET p.keyId = row.keyId
;
UNWIND $rows AS row
WITH row, row.id AS key
MERGE (r:Reminder {id: key})
ON CREATE SET r.patient = row.patient, r.keyId = row.keyId, r.at = row.at, r.atRegion = row.atRegion,
    r.atScopes = row.atScopes, r.orderedItem = row.orderedItem, r.platform = row.platform,
    r.studyUid = row.studyUid, r.performedOn = date(row.performedOn), r.institution = row.institution,
    r.item = row.item, r.issuedOn = date(row.issuedOn), r.issuedAt = row.issuedAt, r.viewed = false
SET r.modality = row.modality, r.description = row.description, r.dicomInstitutionName = row.dicomInstitutionName,
    r.institutionName = row.institutionName, r.institutionRegion = row.institutionRegion, r.findings = row.findings,
    r.verdict = row.verdict, r.policy = row.policy, r.lastOn = date(row.issuedOn)
;
// `patient` of a known reminder is the one it was stored under (the caller reads it first)
UNWIND $rows AS row
MATCH (r:Reminder {id: row.id})
MATCH (p:Patient {pseudonym: row.patient})
MERGE (p)-[:REMINDED]->(r)
