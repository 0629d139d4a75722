// A page of alliances for the browse API (resolvers/browse/others.py): filtered (id / kind in, name eq /
// contains / startsWith), in the order of one key ($sortField: id, name or kind; descending: q.institutions_seek_desc) with
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
WHERE ($fromStart OR k > $afterKey OR (k = $afterKey AND a.id > $afterId))
RETURN a.id AS id, a.kind AS kind, a.name AS name, k AS sortKey
ORDER BY k, a.id
SKIP $skip LIMIT $limit
