// reminder.metrics inside one region: the counts of CONTRACT.md's recognitionMetrics in one pass over the
// reminders first issued from $from to $to (dates, inclusive) at institutions inside $region (a province,
// city, county or zone code: every scope containing the institution was kept on the reminder, atScopes).
// See reminder.metrics_at for why each kind of scope has its statement.  -> one row
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to AND $region IN r.atScopes
RETURN count(r) AS reminders,
       count(CASE WHEN r.viewed THEN 1 END) AS viewed,
       count(CASE WHEN r.decision = 'ACCEPTED' THEN 1 END) AS accepted,
       count(CASE WHEN r.decisionVerdict = 'RECOGNIZED' THEN 1 END) AS decidedRecognized,
       count(CASE WHEN r.decisionVerdict = 'RECOGNIZED' AND r.decision IN ['REJECTED', 'REEXAMINED']
                       AND r.decisionExclusion IS NULL THEN 1 END) AS nonCompliant,
       count(CASE WHEN r.decision = 'REEXAMINED' AND r.diagnosisConsistent IS NOT NULL THEN 1 END)
           AS reexaminedCompared,
       count(CASE WHEN r.decision = 'REEXAMINED' AND r.diagnosisConsistent THEN 1 END) AS consistent
