// Every reminder, counted: the baseline the metrics benchmark divides by (bench/metrics.py) — the least a
// statement that reads all reminders can cost.  -> one row
MATCH (r:Reminder)
RETURN count(r) AS reminders
