// $ids: reminder ids -> one row per stored reminder among them (every property; unknown ids give no row)
UNWIND $ids AS key
MATCH (r:Reminder {id: key})
RETURN r.id AS id, r.patient AS patient, r.keyId AS keyId, r.at AS at, r.atRegion AS atRegion,
       r.atScopes AS atScopes, r.orderedItem AS orderedItem, r.platform AS platform, r.studyUid AS studyUid,
       r.performedOn AS performedOn, r.modality AS modality, r.description AS description,
       r.dicomInstitutionName AS dicomInstitutionName, r.institution AS institution,
       r.institutionName AS institutionName, r.institutionRegion AS institutionRegion, r.item AS item,
       r.findings AS findings, r.verdict AS verdict, r.policy AS policy, r.issuedOn AS issuedOn,
       r.issuedAt AS issuedAt, r.lastOn AS lastOn, r.viewed AS viewed, r.viewedAt AS viewedAt,
       r.decisionId AS decisionId, r.decision AS decision, r.decisionVerdict AS decisionVerdict,
       r.decisionExclusion AS decisionExclusion, r.diagnosisConsistent AS diagnosisConsistent,
       r.decidedAt AS decidedAt
