// $patients (the patient's pseudonyms: under the key in use and any retired one), $at, $since (a date) ->
// the decision that counts for each of the patient's reminders at $at, recorded on or after $since, oldest
// first.  Every lookup is by key: the patient, its reminders (REMINDED), each reminder's last decision.
UNWIND $patients AS pkey
MATCH (p:Patient {pseudonym: pkey})-[:REMINDED]->(r:Reminder)
WHERE r.at = $at AND r.decisionId IS NOT NULL
WITH r.decisionId AS key
MATCH (d:Decision {id: key})
WHERE d.recordedOn >= $since
RETURN d.id AS id, d.reminder AS reminder, d.patient AS patient, d.at AS at, d.decision AS decision,
       d.reason AS reason, d.exclusion AS exclusion, d.exclusionClause AS exclusionClause, d.patientInformed AS patientInformed, d.archiveNo AS archiveNo,
       d.diagnosisConsistent AS diagnosisConsistent, d.institutionName AS institutionName,
       d.performedOn AS performedOn, d.verdict AS verdict, d.citation AS citation, d.orderedItem AS orderedItem,
       d.platform AS platform, d.studyUid AS studyUid, d.item AS item, d.byUser AS byUser, d.byRole AS byRole,
       d.byInstitution AS byInstitution, d.recordedAt AS recordedAt, d.recordedOn AS recordedOn,
       d.current AS current
ORDER BY recordedAt, id
