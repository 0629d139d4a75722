// How many alliances the filter of q.alliances_seek selects (totalCount).
MATCH (a:Alliance)
WHERE ($anyIdIn OR a.id IN $idIn)
  AND ($anyKindIn OR a.kind IN $kindIn)
  AND ($anyNameEq OR a.name = $nameEq)
  AND ($anyNameContains OR $nameContains = '' OR a.name CONTAINS $nameContains)
  AND ($anyNameStartsWith OR a.name STARTS WITH $nameStartsWith)
  AND ($anyNameIn OR a.name IN $nameIn)
RETURN count(a) AS total
