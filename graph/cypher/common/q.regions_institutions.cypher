// Region.institutions for every region of a request at once (a DataLoader batch: one read, not one per
// region): $scopes holds one {code, prefix, anyPrefix, provinces, anyProvinces} per region — a division is
// its code prefix, a zone or the nation its provinces (resolvers/browse/filters.within) — and the other
// filters are q.institutions_seek's.  Each region's rows are ordered, collected (collect keeps their order)
// and cut to its page ($take) in the store; the LIMIT only satisfies LadybugDB, which wants one after a
// WITH's ORDER BY ($cap: no cap).  Every region still costs a scan of the institutions (only primary keys
// are indexed on LadybugDB): the batch saves the round trips, not the scans.
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
WITH s.code AS code, i, CASE $sortField WHEN 'name' THEN i.name WHEN 'region' THEN i.region WHEN 'tier' THEN i.tier
                                        ELSE i.id END AS k
WHERE ($fromStart OR k > $afterKey OR (k = $afterKey AND i.id > $afterId))
WITH code, k, i.id AS id, i.name AS name, i.tier AS tier, i.region AS region, i.ownership AS ownership,
     i.kind AS kind, i.aliases AS aliases
ORDER BY code, k, id
LIMIT $cap
WITH code, collect({id: id, name: name, tier: tier, region: region, ownership: ownership, kind: kind,
                    aliases: aliases, sortKey: k}) AS rows
RETURN code, rows[..$take] AS rows
