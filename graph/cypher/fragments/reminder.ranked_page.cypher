// The end of the ranking statements (000 六(三)): after `WITH institution, {{reminder.counts}}`, the rate
// $numerator / $denominator (names of the counts, from hub/domain/recognition_metrics.RATES) of each
// institution with at least $minDenominator in the denominator, signed by $sign so that rank 1 is the best
// (-1 for 互认不遵从率), the first $limit by it, equal rates by id, with the institution's name.  The store
// divides only to order; hub.services.recognition_metrics divides again with the domain's rates.
// LadybugDB: 1.0 * (its to_float is 32-bit, there is no toFloat), + 0.0 (it sorts -0.0 below every negative).
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
