// The seven counts of CONTRACT.md's recognitionMetrics over the reminders `r` in scope, as aggregate
// expressions for a RETURN or WITH (after any grouping key).  A reminder carries its last decision
// (decision.record), so no join is needed.  Written once: every metrics, ranking and report statement
// includes it as {{reminder.counts}}, and hub/domain/recognition_metrics.py divides what it counts.
count(r) AS reminders,
count(CASE WHEN r.viewed THEN 1 END) AS viewed,
count(CASE WHEN r.decision = 'ACCEPTED' THEN 1 END) AS accepted,
count(CASE WHEN r.decisionVerdict = 'RECOGNIZED' THEN 1 END) AS decidedRecognized,
count(CASE WHEN r.decisionVerdict = 'RECOGNIZED' AND r.decision IN ['REJECTED', 'REEXAMINED']
                AND r.decisionExclusion IS NULL THEN 1 END) AS nonCompliant,
count(CASE WHEN r.decision = 'REEXAMINED' AND r.diagnosisConsistent IS NOT NULL THEN 1 END) AS reexaminedCompared,
count(CASE WHEN r.decision = 'REEXAMINED' AND r.diagnosisConsistent THEN 1 END) AS consistent
