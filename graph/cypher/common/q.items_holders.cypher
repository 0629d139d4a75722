// CatalogItem.holders for every item of a request at once (a DataLoader batch: one read, not one per
// item): for each ref of $refs, the institutions holding a mark for it (from the item by its primary key,
// back along FOR_ITEM and HOLDS: no scan of the Mark table) with a mark of scope in $scopeIn ($anyScopeIn:
// any) valid on $validOn ($anyValidOn: any day), in id order after $afterId ($fromStart: the first page),
// the first $take of each item.  The rows are ordered before collect (which keeps their order) and cut
// per item after it; the LIMIT only satisfies LadybugDB, which wants one after a WITH's ORDER BY ($cap:
// no cap).  Never a null parameter (LadybugDB types it BOOL).
UNWIND $refs AS ref
MATCH (c:CatalogItem {ref: ref})<-[:FOR_ITEM]-(m:Mark)<-[:HOLDS]-(i:Institution)
WHERE ($anyScopeIn OR m.scope IN $scopeIn)
  AND ($anyValidOn OR (m.validFrom <= $validOn AND (m.validTo IS NULL OR m.validTo >= $validOn)))
  AND ($fromStart OR i.id > $afterId)
WITH DISTINCT ref, i.id AS id, i.name AS name, i.tier AS tier, i.region AS region, i.ownership AS ownership,
     i.kind AS kind, i.aliases AS aliases
ORDER BY ref, id
LIMIT $cap
WITH ref, collect({id: id, name: name, tier: tier, region: region, ownership: ownership, kind: kind,
                   aliases: aliases}) AS holders
RETURN ref, holders[..$take] AS holders
