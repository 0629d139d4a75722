// How many of the reminders first issued from $from to $to were viewed: one aggregate over one column of
// every reminder of the period — the metrics benchmark's second baseline (bench/metrics.py).  LadybugDB
// answers `MATCH (r:Reminder) RETURN count(r)` (reminder.count) from the table's size without reading a
// row; this is the least a statement that reads each reminder costs.  -> one row
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to
RETURN count(CASE WHEN r.viewed THEN 1 END) AS viewed
