// How many institutions hold a mark for each item of $refs (CatalogItem.holders' totalCount, one read for
// every item of a request), with the filters of q.items_holders.  An item nobody holds has no row.
UNWIND $refs AS ref
MATCH (c:CatalogItem {ref: ref})<-[:FOR_ITEM]-(m:Mark)<-[:HOLDS]-(i:Institution)
WHERE ($anyScopeIn OR m.scope IN $scopeIn)
  AND ($anyValidOn OR (m.validFrom <= $validOn AND (m.validTo IS NULL OR m.validTo >= $validOn)))
RETURN ref, count(DISTINCT i.id) AS total
