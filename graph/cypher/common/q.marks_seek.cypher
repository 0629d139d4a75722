// A page of marks for marksConnection (resolvers/browse/marks.py), in id order after the keyset cursor
// ($afterId; $fromStart: the first page).  Filters on the mark ($itemIn: refs, the item filter resolved
// through the in-memory item index; $scopeIn; $validOn: valid that day; $validToFrom / $validToUntil: running out
// between two days, an open mark never) and on its holder (the block of
// q.institutions_seek, see there for the flags and why never a null parameter).  The same WHERE is in
// q.marks_count and q.marks_aggregate.
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
  AND ($fromStart OR m.id > $afterId)
RETURN m.id AS id, m.id AS sortKey, i.id AS institution, m.item AS item, m.scope AS scope,
       m.validFrom AS validFrom, m.validTo AS validTo
ORDER BY id
LIMIT $limit
