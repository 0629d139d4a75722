// With `holdsMarks` asked: the statement without _marked plus the test of HOLDS below.  It is a statement
// of its own because LadybugDB plans an EXISTS subquery even when a flag makes it moot: with it a page of
// 200k institutions took 615 ms, without 104 ms.
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
  AND (($holdsMarks AND EXISTS { MATCH (i)-[:HOLDS]->(:Mark) })
       OR (NOT $holdsMarks AND NOT EXISTS { MATCH (i)-[:HOLDS]->(:Mark) }))
RETURN count(i) AS total
