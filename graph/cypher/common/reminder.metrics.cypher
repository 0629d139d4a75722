// The counts of CONTRACT.md's recognitionMetrics in one pass over every reminder first issued from $from to
// $to (dates, inclusive), everywhere; one institution: reminder.metrics_at, inside a region or zone:
// reminder.metrics_within (why three statements: there).  A reminder carries its last decision
// (decision.record), so no join is needed.  -> one row
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to
RETURN {{reminder.counts}}
