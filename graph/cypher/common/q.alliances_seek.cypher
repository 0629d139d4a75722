// A page of alliances for the browse API (resolvers/browse/others.py): filtered (id / kind in, name eq /
// contains / startsWith), in the order of one key ($sortField: id, name or kind; $reverse: descending) with
// the id breaking ties, after the keyset cursor ($afterKey, $afterId; $fromStart: the first page), or
// after $skip rows for the older `alliances(first, offset)`.  Flags and "" instead of null parameters, and
// CONTAINS '' tested here: see q.institutions_seek.
MATCH (a:Alliance)
WHERE ($anyIdIn OR a.id IN $idIn)
  AND ($anyKindIn OR a.kind IN $kindIn)
  AND ($anyNameEq OR a.name = $nameEq)
  AND ($anyNameContains OR $nameContains = '' OR a.name CONTAINS $nameContains)
  AND ($anyNameStartsWith OR a.name STARTS WITH $nameStartsWith)
  AND ($anyNameIn OR a.name IN $nameIn)
WITH a, CASE $sortField WHEN 'name' THEN a.name WHEN 'kind' THEN a.kind ELSE a.id END AS k
WHERE $fromStart
   OR ($reverse AND (k < $afterKey OR (k = $afterKey AND a.id < $afterId)))
   OR (NOT $reverse AND (k > $afterKey OR (k = $afterKey AND a.id > $afterId)))
WITH a, k, CASE WHEN $reverse THEN k ELSE '' END AS down, CASE WHEN $reverse THEN '' ELSE k END AS up,
     CASE WHEN $reverse THEN a.id ELSE '' END AS downId, CASE WHEN $reverse THEN '' ELSE a.id END AS upId
RETURN a.id AS id, a.kind AS kind, a.name AS name, k AS sortKey
ORDER BY down DESC, up, downId DESC, upId
SKIP $skip LIMIT $limit
