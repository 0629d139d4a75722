// reminder.ranking inside $region (a province, city, county or zone code, tested against the scopes kept on
// each reminder): the same statement with the scope test; the comments there say why it is shaped so.
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to
  AND $region IN r.atScopes
WITH r.at AS institution,
     count(r) AS reminders,
     count(CASE WHEN r.viewed THEN 1 END) AS viewed,
     count(CASE WHEN r.decision = 'ACCEPTED' THEN 1 END) AS accepted,
     count(CASE WHEN r.decisionVerdict = 'RECOGNIZED' THEN 1 END) AS decidedRecognized,
     count(CASE WHEN r.decisionVerdict = 'RECOGNIZED' AND r.decision IN ['REJECTED', 'REEXAMINED']
                     AND r.decisionExclusion IS NULL THEN 1 END) AS nonCompliant,
     count(CASE WHEN r.decision = 'REEXAMINED' AND r.diagnosisConsistent IS NOT NULL THEN 1 END)
         AS reexaminedCompared,
     count(CASE WHEN r.decision = 'REEXAMINED' AND r.diagnosisConsistent THEN 1 END) AS consistent
WITH institution, reminders, viewed, accepted, decidedRecognized, nonCompliant, reexaminedCompared, consistent,
     CASE $numerator WHEN 'viewed' THEN viewed WHEN 'accepted' THEN accepted
                     WHEN 'nonCompliant' THEN nonCompliant WHEN 'consistent' THEN consistent END AS num,
     CASE $denominator WHEN 'reminders' THEN reminders WHEN 'decidedRecognized' THEN decidedRecognized
                       WHEN 'reexaminedCompared' THEN reexaminedCompared END AS den
WHERE den >= $minDenominator
WITH institution, reminders, viewed, accepted, decidedRecognized, nonCompliant, reexaminedCompared, consistent,
     $sign * (1.0 * num / den) + 0.0 AS score
ORDER BY score DESC, institution ASC
LIMIT $limit
OPTIONAL MATCH (i:Institution {id: institution})
RETURN institution AS id, i.name AS name, reminders, viewed, accepted, decidedRecognized, nonCompliant,
       reexaminedCompared, consistent
