// marksAggregate: the marks the filter of q.marks_seek selects, counted in the store per holder region —
// the marks and the distinct institutions holding them (an institution lies in one region, so the
// institutions of several regions add up) — one row per region code that occurs; the resolver sums them
// and rolls them up to provinces, cities or zones through the RegionIndex: one round trip.
MATCH (i:Institution)-[:HOLDS]->(m:Mark)
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
  AND ($anyItemIn OR m.item IN $itemIn)
  AND ($anyScopeIn OR m.scope IN $scopeIn)
  AND ($anyValidOn OR (m.validFrom <= $validOn AND (m.validTo IS NULL OR m.validTo >= $validOn)))
  AND ($anyValidToFrom OR m.validTo >= $validToFrom)
  AND ($anyValidToUntil OR m.validTo <= $validToUntil)
RETURN i.region AS region, count(m) AS marks, count(DISTINCT i.id) AS institutions
ORDER BY region
