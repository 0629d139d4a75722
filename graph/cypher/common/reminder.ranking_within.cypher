// reminder.ranking inside $region (a province, city, county or zone code, tested against the scopes kept on
// each reminder): the same statement with the scope test; the comments there say why it is shaped so.
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to
  AND $region IN r.atScopes
WITH r.at AS institution,
     {{reminder.counts}}
{{reminder.ranked_page}}
