// How many regions the filter of q.regions_seek selects (totalCount).
MATCH (r:Region)
WHERE ($anyIdIn OR r.code IN $idIn)
  AND ($anyLevelIn OR r.level IN $levelIn)
  AND ($anyNameEq OR r.name = $nameEq)
  AND ($anyNameContains OR $nameContains = '' OR r.name CONTAINS $nameContains)
  AND ($anyNameStartsWith OR r.name STARTS WITH $nameStartsWith)
  AND ($anyNameIn OR r.name IN $nameIn)
  AND ($anyParentIn OR EXISTS { MATCH (r)-[:PART_OF]->(q:Region) WHERE q.code IN $parentIn })
RETURN count(r) AS total
