// A page of institutions, optionally within a region code prefix and/or by part of the name.  A filter
// that is not asked for comes as its flag ($anyRegion / $anyName) with "" as the value, never as null:
// LadybugDB types a null parameter as BOOL and then refuses it beside STARTS WITH / CONTAINS ("Cannot
// change parameter expression data type from BOOL to STRING").  An empty name is part of every name:
// Neo4j's CONTAINS '' is true, LadybugDB's false (ladybug 0.22), so "" is tested here, not left to CONTAINS.
MATCH (i:Institution)
WHERE ($anyRegion OR i.region STARTS WITH $region) AND ($anyName OR $name = '' OR i.name CONTAINS $name)
RETURN i.id AS id, i.name AS name, i.tier AS tier, i.region AS region, i.ownership AS ownership,
       i.kind AS kind, i.aliases AS aliases
ORDER BY i.id
SKIP $skip LIMIT $limit
