// institutionsAggregate: the institutions `where` selects (the filter block of q.institutions_seek),
// counted per (region code, tier) in the store — at most one row per region code and tier that occurs
// (~3,000 codes x 8 tiers), from which the resolver sums the total, the tiers and any level of region
// (a county's row rolls up to its city and province through the RegionIndex): one round trip.
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
RETURN i.region AS region, i.tier AS tier, count(i) AS count
ORDER BY region, tier
