// CatalogItem.holders: the institutions holding a mark for the item $item (from the item by its primary
// key, back along FOR_ITEM and HOLDS: no scan of the Mark table), with a mark of scope in $scopeIn
// ($anyScopeIn: any) valid on $validOn ($anyValidOn: any day); in id order after $afterId ($fromStart: the
// first page).  Never a null parameter (LadybugDB types it BOOL).
MATCH (c:CatalogItem {ref: $item})<-[:FOR_ITEM]-(m:Mark)<-[:HOLDS]-(i:Institution)
WHERE ($anyScopeIn OR m.scope IN $scopeIn)
  AND ($anyValidOn OR (m.validFrom <= $validOn AND (m.validTo IS NULL OR m.validTo >= $validOn)))
  AND ($fromStart OR i.id > $afterId)
WITH DISTINCT i.id AS id, i.name AS name, i.tier AS tier, i.region AS region, i.ownership AS ownership,
     i.kind AS kind, i.aliases AS aliases
RETURN id, name, tier, region, ownership, kind, aliases, id AS sortKey
ORDER BY id
LIMIT $limit
