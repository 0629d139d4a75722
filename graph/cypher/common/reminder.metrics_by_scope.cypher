// The counts of reminder.metrics for many scopes at once (the Prometheus gauges: the nation, every
// province and zone), in one pass: each reminder first issued from $from to $to counts once for every
// scope in $scopes that contains its institution (its atScopes, kept when it was first issued).
// -> one row per scope with at least one reminder
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to
UNWIND r.atScopes AS scope
WITH scope, r
WHERE scope IN $scopes
RETURN scope,
       count(r) AS reminders,
       count(CASE WHEN r.viewed THEN 1 END) AS viewed,
       count(CASE WHEN r.decision = 'ACCEPTED' THEN 1 END) AS accepted,
       count(CASE WHEN r.decisionVerdict = 'RECOGNIZED' THEN 1 END) AS decidedRecognized,
       count(CASE WHEN r.decisionVerdict = 'RECOGNIZED' AND r.decision IN ['REJECTED', 'REEXAMINED']
                       AND r.decisionExclusion IS NULL THEN 1 END) AS nonCompliant,
       count(CASE WHEN r.decision = 'REEXAMINED' AND r.diagnosisConsistent IS NOT NULL THEN 1 END)
           AS reexaminedCompared,
       count(CASE WHEN r.decision = 'REEXAMINED' AND r.diagnosisConsistent THEN 1 END) AS consistent
