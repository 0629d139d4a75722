UNWIND $ids AS id
MATCH (i:Institution {id: id})
RETURN i.id AS id, i.name AS name, i.tier AS tier, i.region AS region, i.ownership AS ownership,
       i.kind AS kind, i.aliases AS aliases
