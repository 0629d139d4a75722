// 000 六(三)'s ranking: the counts of reminder.metrics grouped by the institution that issued them, over the
// reminders first issued from $from to $to everywhere, in one pass, the best $limit institutions
// by one rate.  The rate is chosen by its counts' names, $numerator and $denominator (hub.domain's RATES), and
// only institutions with at least $minDenominator (>= 1) in the denominator are ranked: a rate over nothing
// is null, not 0, and has no place.  $sign is 1 where a high rate is good and -1 where it is bad
// (互认不遵从率), so rank 1 is always the best; ties by institution id.  `1.0 *` makes the division a
// 64-bit float on both engines (LadybugDB has no toFloat; its to_float is 32-bit), the number Python's gives, so
// the order here is the order of hub.domain's rates (tests/workflow/test_recognition_ranking.py checks it).
// `+ 0.0` turns the -0.0 of a zero rate times -1 into 0.0: LadybugDB (0.22) sorts -0.0 below every negative
// number, which put the institutions with no non-compliance at all last.
// The institution's name is read after the LIMIT, for the page only.  Inside a region or zone:
// reminder.ranking_within, the same statement with the scope test (a flag, '' = everywhere, made both engines
// test every reminder's scopes anyway: 1.8x the time at 1M reminders, docs/BENCHMARKS.md "Recognition
// metrics").  -> at most $limit rows
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to
WITH r.at AS institution,
     {{reminder.counts}}
{{reminder.ranked_page}}
