// How many institutions `where` selects (a connection's totalCount): the filter block of
// q.institutions_seek (see there for the flags), counted in the store.
MATCH (i:Institution)
WHERE ($anyRegionPrefix OR i.region STARTS WITH $regionPrefix)
  AND ($anyProvinces OR left(i.region, 2) IN $provinces)
  AND ($anyRegionEq OR i.region = $regionEq)
  AND ($anyNameEq OR i.name = $nameEq)
  AND ($anyNameContains OR $nameContains = '' OR i.name CONTAINS $nameContains)
  AND ($anyNameStartsWith OR i.name STARTS WITH $nameStartsWith)
  AND ($anyNameIn OR i.name IN $nameIn)
  AND ($anyIdIn OR i.id IN $idIn)
  AND ($anyTierIn OR i.tier IN $tierIn)
  AND ($anyKindIn OR i.kind IN $kindIn)
  AND ($anyOwnershipIn OR i.ownership IN $ownershipIn)
RETURN count(i) AS total
