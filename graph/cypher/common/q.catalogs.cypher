MATCH (c:Catalog)
RETURN c.id AS id, c.name AS name, c.source AS source, c.clause AS clause, c.itemCount AS itemCount
ORDER BY c.id
