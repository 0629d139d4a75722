MATCH (i:Institution {id: $id})
MATCH (i)-[:HOLDS]->(m:Mark)
RETURN m.item AS item, m.scope AS scope, m.validFrom AS validFrom, m.validTo AS validTo
ORDER BY m.item, m.scope, m.validFrom
