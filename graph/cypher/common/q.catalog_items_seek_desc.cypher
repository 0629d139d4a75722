// Descending twin of the statement without _desc (one statement per direction: ordering both ways
// in one statement through computed columns cost 5x, 300 vs 60 ms for a page of 200k institutions).
// A page of catalog items for the browse API (resolvers/browse/others.py): filtered (ref / catalog /
// modality / bodyPart in, name eq / contains / startsWith), in the order of one key ($sortField: ref or
// name), descending with the ref breaking ties, after the keyset cursor ($afterKey, $afterId) or $skip rows.
// Flags and "" instead of null parameters, and CONTAINS '' tested here: see q.institutions_seek.
MATCH (it:CatalogItem)
WHERE ($anyIdIn OR it.ref IN $idIn)
  AND ($anyCatalogIn OR it.catalog IN $catalogIn)
  AND ($anyModalityIn OR it.modality IN $modalityIn)
  AND ($anyBodyPartIn OR it.bodyPart IN $bodyPartIn)
  AND ($anyNameEq OR it.name = $nameEq)
  AND ($anyNameContains OR $nameContains = '' OR it.name CONTAINS $nameContains)
  AND ($anyNameStartsWith OR it.name STARTS WITH $nameStartsWith)
  AND ($anyNameIn OR it.name IN $nameIn)
WITH it, CASE $sortField WHEN 'name' THEN it.name ELSE it.ref END AS k
WHERE ($fromStart OR k < $afterKey OR (k = $afterKey AND it.ref < $afterId))
RETURN it.ref AS ref, it.catalog AS catalog, it.local AS local, it.row AS row, it.name AS name,
       it.modality AS modality, it.bodyPart AS bodyPart, it.laterality AS laterality,
       it.contrast AS contrast, it.views AS views, it.source AS source, it.printed AS printed, it.note AS note,
       k AS sortKey
ORDER BY k DESC, it.ref DESC
SKIP $skip LIMIT $limit
