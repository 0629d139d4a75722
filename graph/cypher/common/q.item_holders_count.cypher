// How many institutions q.item_holders selects in all (CatalogItem.holders' totalCount).
MATCH (c:CatalogItem {ref: $item})<-[:FOR_ITEM]-(m:Mark)<-[:HOLDS]-(i:Institution)
WHERE ($anyScopeIn OR m.scope IN $scopeIn)
  AND ($anyValidOn OR (m.validFrom <= $validOn AND (m.validTo IS NULL OR m.validTo >= $validOn)))
RETURN count(DISTINCT i.id) AS total
