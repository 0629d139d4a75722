MATCH (i:Institution)
WHERE ($region IS NULL OR i.region STARTS WITH $region) AND ($name IS NULL OR i.name CONTAINS $name)
RETURN i.id AS id, i.name AS name, i.tier AS tier, i.region AS region, i.ownership AS ownership,
       i.kind AS kind, i.aliases AS aliases
ORDER BY i.id
SKIP $skip LIMIT $limit
