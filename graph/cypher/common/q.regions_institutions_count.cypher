// How many institutions lie in each region of $scopes with the filters of q.regions_institutions
// (Region.institutions' totalCount, one read for every region of a request); a region with none has no row.
UNWIND $scopes AS s
MATCH (i:Institution)
WHERE (s.anyPrefix OR i.region STARTS WITH s.prefix)
  AND (s.anyProvinces OR left(i.region, 2) IN s.provinces)
  AND ($anyRegionEq OR i.region = $regionEq)
  AND ($anyNameEq OR i.name = $nameEq)
  AND ($anyNameContains OR $nameContains = '' OR i.name CONTAINS $nameContains)
  AND ($anyNameStartsWith OR i.name STARTS WITH $nameStartsWith)
  AND ($anyNameIn OR i.name IN $nameIn)
  AND ($anyIdIn OR i.id IN $idIn)
  AND ($anyTierIn OR i.tier IN $tierIn)
  AND ($anyKindIn OR i.kind IN $kindIn)
  AND ($anyOwnershipIn OR i.ownership IN $ownershipIn)
RETURN s.code AS code, count(i) AS total
