// $ids: decision ids -> one row per stored decision among them
UNWIND $ids AS key
MATCH (d:Decision {id: key})
RETURN d.id AS id, d.reminder AS reminder, d.patient AS patient, d.at AS at, d.decision AS decision,
       d.reason AS reason, d.exclusion AS exclusion, d.exclusionClause AS exclusionClause, d.patientInformed AS patientInformed, d.archiveNo AS archiveNo,
       d.diagnosisConsistent AS diagnosisConsistent, d.institutionName AS institutionName,
       d.performedOn AS performedOn, d.verdict AS verdict, d.citation AS citation, d.orderedItem AS orderedItem,
       d.platform AS platform, d.studyUid AS studyUid, d.item AS item, d.byUser AS byUser, d.byRole AS byRole,
       d.byInstitution AS byInstitution, d.recordedAt AS recordedAt, d.recordedOn AS recordedOn,
       d.current AS current
