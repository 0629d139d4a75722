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
       {{reminder.counts}}
