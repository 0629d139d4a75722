// The recognition engine's one round trip per batch: each asked institution with its alliances and
// its marks for the asked items (rows with item = null for an institution without such marks).
UNWIND $ids AS id
MATCH (i:Institution {id: id})
OPTIONAL MATCH (i)-[:MEMBER_OF]->(a:Alliance)
WITH i, collect(a.id) AS alliances
OPTIONAL MATCH (i)-[:HOLDS]->(m:Mark)
WHERE m.item IN $items
RETURN i.id AS id, i.tier AS tier, i.region AS region, i.ownership AS ownership, i.kind AS kind,
       alliances, m.item AS item, m.scope AS scope, m.validFrom AS validFrom, m.validTo AS validTo
