// Descending twin of the statement without _desc (one statement per direction: ordering both ways
// in one statement through computed columns cost 5x, 300 vs 60 ms for a page of 200k institutions).
// A page of institutions for the browse API (resolvers/browse/institutions.py): filtered by `where`, in the
// order of one sort key ($sortField: id, name, region or tier), descending with the id as the
// tie-breaker, after the keyset cursor ($afterKey, $afterId; $fromStart: the first page).  Keyset paging
// seeks past the cursor instead of skipping rows, so a deep page costs what the first does; $skip serves
// the offset of the older `institutions(first, offset)` list (0 for a connection).
//
// Filters (the same block in q.institutions_count and q.institutions_aggregate): an operator that is not
// asked for comes as its flag ($any…) with "" or [""] as the value, never as null — LadybugDB types a null
// parameter as BOOL and refuses it beside a string.  A zone (or the nation) is its provinces' two-digit
// code prefixes in $provinces (hub.domain.regions.RegionIndex.provinces_within: from the zones file).
// CONTAINS '' is true on Neo4j and false on LadybugDB 0.22: "" is tested here, not left to CONTAINS.
// Parameter names avoid what LadybugDB's lexer reads as keywords ($desc…, $on, $any alone).
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
WITH i, CASE $sortField WHEN 'name' THEN i.name WHEN 'region' THEN i.region WHEN 'tier' THEN i.tier
                        ELSE i.id END AS k
WHERE ($fromStart OR k < $afterKey OR (k = $afterKey AND i.id < $afterId))
RETURN i.id AS id, i.name AS name, i.tier AS tier, i.region AS region, i.ownership AS ownership,
       i.kind AS kind, i.aliases AS aliases, k AS sortKey
ORDER BY k DESC, i.id DESC
SKIP $skip LIMIT $limit
