MATCH (a:Alliance {id: $id})
MATCH (i:Institution)-[:MEMBER_OF]->(a)
RETURN i.id AS id, i.name AS name, i.tier AS tier, i.region AS region, i.ownership AS ownership,
       i.kind AS kind, i.aliases AS aliases
ORDER BY i.id
