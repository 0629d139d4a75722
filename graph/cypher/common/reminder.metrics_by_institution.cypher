// The monthly report's rows (002 四(四); hub.services.reports): reminder.metrics' seven counts grouped by the
// institution that issued the reminder, over the reminders first issued from $from to $to (dates, inclusive)
// at $institution ('' = any) or inside $region ('' = any; a division or zone code, tested against the scopes
// kept on the reminder as reminder.metrics does, so the rows add up to its one-row total).  One pass over
// Reminder, one group per institution: no statement per institution.
// Beside the counts, what the hub knows of 004 7.1's data quality: the completeness findings kept on each
// reminder (`findings`, JSON written by hub.services.reminders.findings_json, null when there were none).
// $incomplete / $unknown are the JSON text of a finding's code (finding_code_marker): CONTAINS on the text
// because neither store can parse JSON in Cypher.  Never a null parameter (LadybugDB types it BOOL): an
// absent filter is '' (as reminder.metrics).  The institution's name and region are looked up after the
// grouping (null when the institution was removed since).  -> one row per institution with reminders
MATCH (r:Reminder)
WHERE r.issuedOn >= $from AND r.issuedOn <= $to
  AND ($institution = '' OR r.at = $institution)
  AND ($region = '' OR $region IN r.atScopes)
WITH r.at AS institution,
     {{reminder.counts}},
     count(CASE WHEN r.findings IS NULL THEN 1 END) AS withoutFinding,
     count(CASE WHEN r.findings CONTAINS $incomplete THEN 1 END) AS imagesIncomplete,
     count(CASE WHEN r.findings CONTAINS $unknown THEN 1 END) AS completenessUnknown
OPTIONAL MATCH (i:Institution)
WHERE i.id = institution
RETURN institution, i.name AS name, i.region AS region, reminders, viewed, accepted, decidedRecognized,
       nonCompliant, reexaminedCompared, consistent, withoutFinding, imagesIncomplete, completenessUnknown
ORDER BY institution
