// One decision on reminder $reminder (recordDecision), in three parts run in one transaction.
// $id is a hash of the decision's content, so a retry finds its own node: it stays current and keeps the
// time it was first recorded; a decision that was replaced and is given again counts again, from now.
MATCH (r:Reminder {id: $reminder})
WITH r, $id AS key
MERGE (d:Decision {id: key})
ON CREATE SET d.reminder = $reminder, d.patient = r.patient, d.at = r.at, d.decision = $decision,
    d.reason = $reason, d.exclusion = $exclusion, d.exclusionClause = $exclusionClause, d.patientInformed = $patientInformed, d.archiveNo = $archiveNo,
    d.diagnosisConsistent = $diagnosisConsistent, d.institutionName = $institutionName,
    d.performedOn = date($performedOn), d.verdict = $verdict, d.citation = $citation,
    d.orderedItem = r.orderedItem, d.platform = r.platform, d.studyUid = r.studyUid, d.item = r.item,
    d.byUser = $byUser, d.byRole = $byRole, d.byInstitution = $byInstitution,
    d.recordedAt = $recordedAt, d.recordedOn = date($recordedOn), d.current = false
ON MATCH SET d.recordedAt = CASE WHEN d.current THEN d.recordedAt ELSE $recordedAt END,
    d.recordedOn = CASE WHEN d.current THEN d.recordedOn ELSE date($recordedOn) END
SET d.current = true
MERGE (r)-[:DECIDED]->(d)
;
// the decision it replaces no longer counts (kept, as the record of what was decided before)
MATCH (r:Reminder {id: $reminder})
WHERE r.decisionId IS NOT NULL AND r.decisionId <> $id
WITH r.decisionId AS prev
MATCH (d:Decision {id: prev})
SET d.current = false
;
// the reminder carries its last decision: what the metrics count (a decision implies the reminder was seen)
MATCH (r:Reminder {id: $reminder})
WITH r, $id AS key
MATCH (d:Decision {id: key})
SET r.decisionId = d.id, r.decision = d.decision, r.decisionVerdict = d.verdict,
    r.decisionExclusion = d.exclusion, r.diagnosisConsistent = d.diagnosisConsistent, r.decidedAt = d.recordedAt,
    r.viewed = true, r.viewedAt = coalesce(r.viewedAt, d.recordedAt)
