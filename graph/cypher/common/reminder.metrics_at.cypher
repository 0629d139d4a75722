// reminder.metrics for one institution: the counts of CONTRACT.md's recognitionMetrics in one pass over the
// reminders first issued from $from to $to (dates, inclusive) at institution $institution.  A statement per
// kind of scope (reminder.metrics, reminder.metrics_at, reminder.metrics_within) rather than one with
// "'' = any" flags: both engines evaluate both sides of ($x = '' OR …) for every row, and the scope list test
// was most of the cost (at 1M reminders on LadybugDB this one took 0.26× the flagged statement's time,
// docs/BENCHMARKS.md "Recognition metrics").  A reminder carries its last decision (decision.record), so no
// join is needed.  -> one row
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to AND r.at = $institution
RETURN {{reminder.counts}}
