// How many catalog items the filter of q.catalog_items_seek selects (totalCount).
MATCH (it:CatalogItem)
WHERE ($anyIdIn OR it.ref IN $idIn)
  AND ($anyCatalogIn OR it.catalog IN $catalogIn)
  AND ($anyModalityIn OR it.modality IN $modalityIn)
  AND ($anyBodyPartIn OR it.bodyPart IN $bodyPartIn)
  AND ($anyNameEq OR it.name = $nameEq)
  AND ($anyNameContains OR $nameContains = '' OR it.name CONTAINS $nameContains)
  AND ($anyNameStartsWith OR it.name STARTS WITH $nameStartsWith)
  AND ($anyNameIn OR it.name IN $nameIn)
RETURN count(it) AS total
