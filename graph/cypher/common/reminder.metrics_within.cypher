// reminder.metrics inside one region: the counts of CONTRACT.md's recognitionMetrics in one pass over the
// reminders first issued from $from to $to (dates, inclusive) at institutions inside $region (a province,
// city, county or zone code: every scope containing the institution was kept on the reminder, atScopes).
// See reminder.metrics_at for why each kind of scope has its statement.  -> one row
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to AND $region IN r.atScopes
RETURN {{reminder.counts}}
