// The institutions located inside a region -> id, name, region: the monthly report's rows for institutions that
// issued no reminder in the month (002 四(四): a silent institution is part of the report).  $prefixes are the
// code prefixes of the largest divisions inside the region (hub.services.reports.division_prefixes: a zone's
// provinces "11", "12", "13"; a city "1301"; a county itself), so a zone or the nation is one statement.
// Why prefixes and not `i.region IN $codes` (every division inside): on LadybugDB 0.22 with 300k institutions,
// IN over the nation's 3,213 codes took 3.6 s, any() over its 34 province prefixes 0.5 s (a zone: 0.4-0.5 s
// either way).  $prefixes is never empty (the caller skips the read).
MATCH (i:Institution)
WHERE any(p IN $prefixes WHERE i.region STARTS WITH p)
RETURN i.id AS id, i.name AS name, i.region AS region
ORDER BY id
