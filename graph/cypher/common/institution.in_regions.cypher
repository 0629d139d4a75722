// The institutions located in any of $codes (region codes: the caller expands a province, city or zone into
// every division inside it with the RegionIndex, so a zone is one statement, not one per province) -> id,
// name, region.  The monthly report's rows for institutions that issued no reminder in the month (002 四(四):
// a silent institution is part of the report).  $codes is never empty (the caller skips the read).
MATCH (i:Institution)
WHERE i.region IN $codes
RETURN i.id AS id, i.name AS name, i.region AS region
ORDER BY id
