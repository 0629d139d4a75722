// The counts of CONTRACT.md's recognitionMetrics in one pass over every reminder first issued from $from to
// $to (dates, inclusive), everywhere; one institution: reminder.metrics_at, inside a region or zone:
// reminder.metrics_within (why three statements: there).  A reminder carries its last decision
// (decision.record), so no join is needed.  -> one row
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to
RETURN count(r) AS reminders,
       count(CASE WHEN r.viewed THEN 1 END) AS viewed,
       count(CASE WHEN r.decision = 'ACCEPTED' THEN 1 END) AS accepted,
       count(CASE WHEN r.decisionVerdict = 'RECOGNIZED' THEN 1 END) AS decidedRecognized,
       count(CASE WHEN r.decisionVerdict = 'RECOGNIZED' AND r.decision IN ['REJECTED', 'REEXAMINED']
                       AND r.decisionExclusion IS NULL THEN 1 END) AS nonCompliant,
       count(CASE WHEN r.decision = 'REEXAMINED' AND r.diagnosisConsistent IS NOT NULL THEN 1 END)
           AS reexaminedCompared,
       count(CASE WHEN r.decision = 'REEXAMINED' AND r.diagnosisConsistent THEN 1 END) AS consistent
