// A page of regions for the browse API (resolvers/browse/others.py), each with ALL its parents: filtered
// (code / level in, name eq / contains / startsWith, directly part of one of $parentIn — an existence test,
// so it does not narrow the collected parents), in the order of one key ($sortField: code, name or level;
// descending: the _desc twin) with the code breaking ties, after the keyset cursor ($afterKey, $afterId) or $skip rows.
// The page is cut before the parents are collected, and ordered again after (collect keeps no order).
// Flags and "" instead of null parameters, and CONTAINS '' tested here: see q.institutions_seek.
MATCH (r:Region)
WHERE ($anyIdIn OR r.code IN $idIn)
  AND ($anyLevelIn OR r.level IN $levelIn)
  AND ($anyNameEq OR r.name = $nameEq)
  AND ($anyNameContains OR $nameContains = '' OR r.name CONTAINS $nameContains)
  AND ($anyNameStartsWith OR r.name STARTS WITH $nameStartsWith)
  AND ($anyNameIn OR r.name IN $nameIn)
  AND ($anyParentIn OR EXISTS { MATCH (r)-[:PART_OF]->(q:Region) WHERE q.code IN $parentIn })
WITH r, CASE $sortField WHEN 'name' THEN r.name WHEN 'level' THEN r.level ELSE r.code END AS k
WHERE ($fromStart OR k > $afterKey OR (k = $afterKey AND r.code > $afterId))
WITH r, k
ORDER BY k, r.code
SKIP $skip LIMIT $limit
OPTIONAL MATCH (r)-[:PART_OF]->(p:Region)
RETURN r.code AS code, r.name AS name, r.level AS level, k AS sortKey, collect(p.code) AS parents
ORDER BY sortKey, code
